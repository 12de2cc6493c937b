import { microsToUsd, type Catalog } from '../pricing/index.js';
import type { LaunchPlan, LaunchPrices } from '../stream/index.js';

/**
 * The prices a plan runs at, with their source and date: the caller's own when given, else the
 * catalog's (a self-hosted plan's provider, region and spot choice narrow the GPU quote).
 */
export function pricesFor(plan: LaunchPlan, catalog: Catalog, given?: LaunchPrices): LaunchPrices {
  if (plan.kind === 'self_hosted') {
    if (given?.gpu_usd_per_hour !== undefined) return { source: 'request', ...given };
    const q = catalog.gpuPrices.quote(catalog.gpus.get(plan.gpu_type ?? '', '/plan/gpu_type').id, { provider: plan.provider, region: plan.region, spot: plan.spot });
    return { gpu_usd_per_hour: microsToUsd(q.microsPerGpuHour), source: `${q.price.provider} ${q.price.region}${q.spot ? ' spot' : ''}: ${q.price.source}`, as_of: q.price.asOf };
  }
  if (given?.input_usd_per_mtok !== undefined && given.output_usd_per_mtok !== undefined) return { source: 'request', ...given };
  const p = catalog.tokenPrices.get(plan.model, '/plan/model');
  return { input_usd_per_mtok: microsToUsd(p.input), output_usd_per_mtok: microsToUsd(p.output), source: p.source, as_of: p.asOf };
}
