import { GPU_PRICE_ROWS } from '../gpu-prices.data.js';
import { gpuPriceFromRow } from '../gpu-prices.js';
import type { GpuSpecTable } from '../gpu-specs.js';
import { isStale, type GpuOffer, type PriceSource, type SourceAnswer } from './types.js';

/** The snapshot typed into pricing/gpu-prices.data.ts, each row with its own page and date. */
export function builtinSource(specs: GpuSpecTable, opts: { now?: () => number; maxAgeDays?: number } = {}): PriceSource {
  const offers: GpuOffer[] = GPU_PRICE_ROWS.map((r) => {
    const p = gpuPriceFromRow(r, specs);
    return {
      gpu: p.gpu, known: true, provider: p.provider, region: p.region, instanceType: p.instanceType,
      onDemandMicrosPerHour: p.onDemandMicrosPerHour, spotMicrosPerHour: p.spotMicrosPerHour, source: p.source, asOf: p.asOf,
      ...(p.estimate ? { estimate: true } : {}),
    };
  });
  return {
    name: 'built-in',
    async offers(query = {}): Promise<SourceAnswer> {
      const id = query.gpu === undefined ? undefined : specs.find(query.gpu)?.id ?? query.gpu;
      const now = (opts.now ?? Date.now)();
      const found = offers.filter((o) => id === undefined || o.gpu === id);
      const oldest = (found.length ? found : offers).map((o) => o.asOf).sort()[0];
      return {
        source: 'built-in snapshot (pricing/gpu-prices.data.ts)', asOf: oldest, stale: isStale(oldest, now, opts.maxAgeDays),
        offers: found, warnings: [],
      };
    },
  };
}
