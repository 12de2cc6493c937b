import { readFileSync } from 'node:fs';
import { parseCsv } from '../lib/csv.js';
import { usdToMicros } from './money.js';
import type { GpuPrice } from './gpu-prices.js';
import type { GpuSpecTable } from './gpu-specs.js';
import { AcceleratorNames, gpuInfoMemoryGb } from './sources/accelerators.js';
import type { GpuOffer } from './sources/types.js';

export interface CatalogImport<T> {
  readonly taken: T[];
  readonly rejected: { line: number; reason: string }[];
  /** Rows that are not GPU offers at all (CPU-only instances), counted apart from rejections. */
  readonly notGpu: number;
}

const COLUMNS = ['InstanceType', 'AcceleratorName', 'AcceleratorCount', 'Price', 'Region', 'SpotPrice'];

/**
 * Reads a SkyPilot catalog `vms.csv` (v7/v8 schema; the column order differs between clouds) into per-GPU hourly
 * offers, every accelerator named through `names`. A spot price of 0 (Vast's catalog) means none.
 */
export function parseSkyPilotOffers(
  text: string, provider: string, names: AcceleratorNames, asOf: string, source: string,
): CatalogImport<GpuOffer & { readonly line: number }> {
  const { rows } = parseCsv(text, COLUMNS, `SkyPilot catalog ${source}`);
  const out = { taken: [] as (GpuOffer & { line: number })[], rejected: [] as { line: number; reason: string }[], notGpu: 0 };
  for (const { line, values: v } of rows) {
    if (!v.AcceleratorName) { out.notGpu++; continue; }
    const count = Number(v.AcceleratorCount);
    const price = v.Price === '' ? undefined : Number(v.Price);
    const spot = v.SpotPrice === '' || Number(v.SpotPrice) === 0 ? undefined : Number(v.SpotPrice);
    if (!(count > 0)) { out.rejected.push({ line, reason: `AcceleratorCount '${v.AcceleratorCount}' is not a positive number` }); continue; }
    if (price !== undefined && !(price >= 0)) { out.rejected.push({ line, reason: `Price '${v.Price}' is not a non-negative number` }); continue; }
    if (spot !== undefined && !(spot >= 0)) { out.rejected.push({ line, reason: `SpotPrice '${v.SpotPrice}' is not a non-negative number` }); continue; }
    if (price === undefined && spot === undefined) { out.rejected.push({ line, reason: `Price '' and no spot price` }); continue; }
    const gpu = names.resolve(v.AcceleratorName, { instanceType: v.InstanceType, memoryGb: gpuInfoMemoryGb(v.GpuInfo ?? '') });
    out.taken.push({
      gpu: gpu.id, known: gpu.known, provider, region: v.Region, instanceType: v.InstanceType, gpuCount: count,
      onDemandMicrosPerHour: price === undefined ? undefined : usdToMicros(price / count),
      spotMicrosPerHour: spot === undefined ? undefined : usdToMicros(spot / count),
      asOf, source, line,
    });
  }
  return out;
}

/** Reads a SkyPilot catalog into the catalog's GPU prices: only accelerators the spec table knows, with on-demand prices. */
export function parseSkyPilotCatalog(text: string, provider: string, specs: GpuSpecTable, asOf: string, source: string): CatalogImport<GpuPrice> {
  const offers = parseSkyPilotOffers(text, provider, new AcceleratorNames(specs), asOf, source);
  const out: CatalogImport<GpuPrice> = { taken: [], rejected: [...offers.rejected], notGpu: offers.notGpu };
  for (const o of offers.taken) {
    if (!o.known) {
      out.rejected.push({ line: o.line, reason: `unknown accelerator '${o.gpu}'; closest known: ${specs.closest(o.gpu).join(', ')}` });
    } else if (o.onDemandMicrosPerHour === undefined) {
      out.rejected.push({ line: o.line, reason: `Price '' (spot only)` });
    } else {
      out.taken.push({
        gpu: o.gpu, provider, region: o.region, instanceType: o.instanceType, onDemandMicrosPerHour: o.onDemandMicrosPerHour,
        spotMicrosPerHour: o.spotMicrosPerHour, asOf, source,
      });
    }
  }
  out.rejected.sort((a, b) => a.line - b.line);
  return out;
}

export function loadSkyPilotCatalog(path: string, provider: string, specs: GpuSpecTable, asOf: string): CatalogImport<GpuPrice> {
  return parseSkyPilotCatalog(readFileSync(path, 'utf8'), provider, specs, asOf, path);
}
