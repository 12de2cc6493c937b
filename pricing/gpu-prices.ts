import { PricingError } from './errors.js';
import { usdToMicros, type Micros } from './money.js';
import type { GpuSpecTable } from './gpu-specs.js';
import { GPU_PRICE_ROWS, type GpuPriceRow } from './gpu-prices.data.js';

/** One GPU's hourly price at one provider and region, per GPU (an 8-GPU instance's price / 8). */
export interface GpuPrice {
  /** Catalog GPU id (resolved through the spec table). */
  readonly gpu: string;
  readonly provider: string;
  readonly region: string;
  readonly instanceType?: string;
  readonly onDemandMicrosPerHour: Micros;
  readonly spotMicrosPerHour?: Micros;
  readonly asOf: string;
  readonly source: string;
  /** True where no list price exists and the figure is derived (see the row's source). */
  readonly estimate?: boolean;
}

export function gpuPriceFromRow(r: GpuPriceRow, specs: GpuSpecTable): GpuPrice {
  const field = `${r.provider}/${r.region}/${r.gpu}`;
  return {
    gpu: specs.get(r.gpu, field).id,
    provider: r.provider,
    region: r.region,
    instanceType: r.instance,
    onDemandMicrosPerHour: usdToMicros(r.onDemand, `${field}.onDemand`),
    spotMicrosPerHour: r.spot === undefined ? undefined : usdToMicros(r.spot, `${field}.spot`),
    asOf: r.asOf,
    source: r.source,
    estimate: r.estimate,
  };
}

export interface GpuPriceQuery {
  readonly provider?: string;
  readonly region?: string;
  readonly spot?: boolean;
}

export interface GpuPriceQuote {
  readonly price: GpuPrice;
  readonly microsPerGpuHour: Micros;
  readonly spot: boolean;
}

/** GPU prices indexed by catalog GPU id; lookups pick the cheapest match unless provider/region narrow it. */
export class GpuPriceTable {
  private readonly byGpu = new Map<string, GpuPrice[]>();

  constructor(readonly specs: GpuSpecTable, prices: readonly GpuPrice[]) {
    for (const p of prices) {
      const list = this.byGpu.get(p.gpu) ?? [];
      list.push(p);
      this.byGpu.set(p.gpu, list);
    }
  }

  all(gpu?: string): GpuPrice[] {
    if (gpu === undefined) return [...this.byGpu.values()].flat();
    return this.byGpu.get(this.specs.get(gpu).id) ?? [];
  }

  quote(gpu: string, q: GpuPriceQuery = {}): GpuPriceQuote {
    const id = this.specs.get(gpu, 'gpu').id;
    let best: GpuPriceQuote | undefined;
    for (const p of this.byGpu.get(id) ?? []) {
      if (q.provider && p.provider !== q.provider) continue;
      if (q.region && p.region !== q.region) continue;
      const micros = q.spot ? p.spotMicrosPerHour : p.onDemandMicrosPerHour;
      if (micros === undefined) continue;
      if (!best || micros < best.microsPerGpuHour) best = { price: p, microsPerGpuHour: micros, spot: !!q.spot };
    }
    if (!best) {
      const where = [q.provider, q.region, q.spot ? 'spot' : 'on-demand'].filter(Boolean).join(' ');
      throw new PricingError('NO_GPU_PRICE', `no ${where} price for GPU '${id}'`, { field: 'gpu' });
    }
    return best;
  }
}

export function createGpuPriceTable(specs: GpuSpecTable, prices: readonly GpuPrice[] = GPU_PRICE_ROWS.map((r) => gpuPriceFromRow(r, specs))): GpuPriceTable {
  return new GpuPriceTable(specs, prices);
}
