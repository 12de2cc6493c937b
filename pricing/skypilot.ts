import { readFileSync } from 'node:fs';
import { parseCsv } from '../lib/csv.js';
import { usdToMicros } from './money.js';
import type { GpuPrice } from './gpu-prices.js';
import type { GpuSpecTable } from './gpu-specs.js';

export interface CatalogImport<T> {
  readonly taken: T[];
  readonly rejected: { line: number; reason: string }[];
  /** Rows that are not GPU offers at all (CPU-only instances), counted apart from rejections. */
  readonly notGpu: number;
}

const COLUMNS = ['InstanceType', 'AcceleratorName', 'AcceleratorCount', 'Price', 'Region', 'SpotPrice'];

/** Per-GPU memory from SkyPilot's GpuInfo column (a Python dict literal), in GB. */
function gpuInfoMemoryGb(info: string): number | undefined {
  const m = /'SizeInMiB':\s*([0-9.]+)/.exec(info);
  return m ? Math.round(Number(m[1]) / 1024) : undefined;
}

/** Reads a SkyPilot catalog `vms.csv` (v7/v8 schema) into per-GPU hourly prices. */
export function parseSkyPilotCatalog(text: string, provider: string, specs: GpuSpecTable, asOf: string, source: string): CatalogImport<GpuPrice> {
  const { rows } = parseCsv(text, COLUMNS, `SkyPilot catalog ${source}`);
  const out: CatalogImport<GpuPrice> = { taken: [], rejected: [], notGpu: 0 };
  for (const { line, values: v } of rows) {
    if (!v.AcceleratorName) { (out as { notGpu: number }).notGpu++; continue; }
    const count = Number(v.AcceleratorCount);
    const price = Number(v.Price);
    if (!(count > 0)) { out.rejected.push({ line, reason: `AcceleratorCount '${v.AcceleratorCount}' is not a positive number` }); continue; }
    if (v.Price === '' || !(price >= 0)) { out.rejected.push({ line, reason: `Price '${v.Price}' is not a non-negative number` }); continue; }
    const spot = v.SpotPrice === '' ? undefined : Number(v.SpotPrice);
    if (spot !== undefined && !(spot >= 0)) { out.rejected.push({ line, reason: `SpotPrice '${v.SpotPrice}' is not a non-negative number` }); continue; }
    const memGb = gpuInfoMemoryGb(v.GpuInfo ?? '');
    const candidates = [
      /pcie/i.test(v.InstanceType) ? `${v.AcceleratorName}-PCIe` : undefined,
      memGb ? `${v.AcceleratorName}-${memGb}GB` : undefined,
      v.AcceleratorName,
    ].filter((c): c is string => !!c);
    const spec = candidates.map((c) => specs.find(c)).find((s) => s !== undefined);
    if (!spec) { out.rejected.push({ line, reason: `unknown accelerator '${v.AcceleratorName}'; closest known: ${specs.closest(v.AcceleratorName).join(', ')}` }); continue; }
    out.taken.push({
      gpu: spec.id,
      provider,
      region: v.Region,
      instanceType: v.InstanceType,
      onDemandMicrosPerHour: usdToMicros(price / count),
      spotMicrosPerHour: spot === undefined ? undefined : usdToMicros(spot / count),
      asOf,
      source,
    });
  }
  return out;
}

export function loadSkyPilotCatalog(path: string, provider: string, specs: GpuSpecTable, asOf: string): CatalogImport<GpuPrice> {
  return parseSkyPilotCatalog(readFileSync(path, 'utf8'), provider, specs, asOf, path);
}
