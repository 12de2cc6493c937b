import { microsToUsd, type Catalog } from '../pricing/index.js';
import type { LaunchPlan, LaunchPrices } from '../stream/index.js';

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
