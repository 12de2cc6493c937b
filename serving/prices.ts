import { microsToUsd, type Catalog } from '../pricing/index.js';
import type { LaunchPlan, LaunchPrices } from '../stream/index.js';
import type { PriceOverrides } from './ledger/index.js';

/**
 * The prices a plan runs at, with their source and date: the caller's own when given, else the
 * catalog's (a self-hosted plan's provider, region and spot choice narrow the GPU quote).
 */
const cache = new WeakMap<Catalog, Map<string, LaunchPrices>>();

/** Catalog prices are fixed for a catalog's life: look each plan shape up once. */
export function pricesFor(plan: LaunchPlan, catalog: Catalog, given?: LaunchPrices): LaunchPrices {
  if (given) return lookupPrices(plan, catalog, given);
  let byPlan = cache.get(catalog);
  if (!byPlan) cache.set(catalog, (byPlan = new Map()));
  const key = plan.kind === 'self_hosted' ? `g|${plan.gpu_type}|${plan.provider}|${plan.region}|${plan.spot}` : `t|${plan.model}`;
  let p = byPlan.get(key);
  if (!p) {
    p = Object.freeze(lookupPrices(plan, catalog));
    if (byPlan.size < 10_000) byPlan.set(key, p);
  }
  return p;
}

function lookupPrices(plan: LaunchPlan, catalog: Catalog, given?: LaunchPrices): LaunchPrices {
  if (plan.kind === 'self_hosted') {
    if (given?.gpu_usd_per_hour !== undefined) return { source: 'request', ...given };
    const q = catalog.gpuPrices.quote(catalog.gpus.get(plan.gpu_type ?? '', '/plan/gpu_type').id, { provider: plan.provider, region: plan.region, spot: plan.spot });
    return { gpu_usd_per_hour: microsToUsd(q.microsPerGpuHour), source: `${q.price.provider} ${q.price.region}${q.spot ? ' spot' : ''}: ${q.price.source}`, as_of: q.price.asOf };
  }
  if (given?.input_usd_per_mtok !== undefined && given.output_usd_per_mtok !== undefined) return { source: 'request', ...given };
  const p = catalog.tokenPrices.get(plan.model, '/plan/model');
  return { input_usd_per_mtok: microsToUsd(p.input), output_usd_per_mtok: microsToUsd(p.output), source: p.source, as_of: p.asOf };
}

/** The tenant's negotiated prices for this plan, when an admin set them; undefined to use the catalog. */
export function overridePrices(plan: LaunchPlan, catalog: Catalog, overrides: PriceOverrides | undefined): LaunchPrices | undefined {
  if (!overrides) return undefined;
  if (plan.kind === 'self_hosted') {
    const gpu = catalog.gpus.find(plan.gpu_type ?? '')?.id;
    const usd = gpu === undefined ? undefined : overrides.gpu_usd_per_hour?.[gpu];
    return usd === undefined ? undefined : { gpu_usd_per_hour: usd, source: 'tenant price override' };
  }
  const model = catalog.tokenPrices.find(plan.model)?.id ?? plan.model;
  const p = overrides.token_usd_per_mtok?.[model];
  return p && { input_usd_per_mtok: p.input, output_usd_per_mtok: p.output, source: 'tenant price override' };
}

/** Overrides keyed by the catalog's ids, so that any spelling of a GPU or model name finds them. */
export function canonicalOverrides(o: PriceOverrides, catalog: Catalog): PriceOverrides {
  const gpus = Object.entries(o.gpu_usd_per_hour ?? {}).map(([name, usd]) => [catalog.gpus.get(name, '/price_overrides/gpu_usd_per_hour').id, usd]);
  const models = Object.entries(o.token_usd_per_mtok ?? {}).map(([name, p]) => [catalog.tokenPrices.find(name)?.id ?? name, p]);
  return {
    ...(o.gpu_usd_per_hour ? { gpu_usd_per_hour: Object.fromEntries(gpus) } : {}),
    ...(o.token_usd_per_mtok ? { token_usd_per_mtok: Object.fromEntries(models) } : {}),
  };
}
