import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { GpuSpecTable } from '../gpu-specs.js';
import { parseSkyPilotOffers } from '../skypilot.js';
import { AcceleratorNames } from './accelerators.js';
import { isStale, PriceSourceError, type GpuOffer, type PriceSource, type SourceAnswer } from './types.js';

/** Where `lutflow lookup --refresh` keeps SkyPilot's catalogs, and the file naming their fetch. */
export const SKYPILOT_META = 'fetched.json';
export const COMMON_ACCELERATORS = 'common_accelerators_v8.csv';

export interface SkyPilotMeta {
  readonly fetched_at: string;
  readonly base_url: string;
  readonly clouds: readonly string[];
}

/** `<cloud>_vms_v8.csv` files in a folder, by cloud. */
export function catalogFiles(dir: string): { cloud: string; path: string }[] {
  return readdirSync(dir)
    .map((f) => /^([a-z0-9]+)_vms_v\d+\.csv$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ cloud: m[1], path: join(dir, m[0]) }))
    .sort((a, b) => a.cloud.localeCompare(b.cloud));
}

/** The accelerator names of a catalog folder: the spec table, with SkyPilot's common spellings when the folder has them. */
export function acceleratorNames(dir: string | undefined, specs: GpuSpecTable): AcceleratorNames {
  const file = dir === undefined ? undefined : join(dir, COMMON_ACCELERATORS);
  const common = file && existsSync(file) ? AcceleratorNames.parseCommon(readFileSync(file, 'utf8')) : [];
  return new AcceleratorNames(specs, common);
}

/**
 * SkyPilot's GPU catalogs (one `<cloud>_vms_v8.csv` per cloud, the same schema) read from a folder: the cache that
 * `lutflow lookup --refresh` fills, or any copy. Their date is the fetch's (`fetched.json`), else the files' time.
 */
export function skypilotSource(dir: string, specs: GpuSpecTable, opts: { now?: () => number; maxAgeDays?: number } = {}): PriceSource {
  let loaded: { offers: GpuOffer[]; warnings: string[]; asOf: string; clouds: string[]; names: AcceleratorNames } | undefined;
  const load = () => {
    if (loaded) return loaded;
    if (!existsSync(dir)) throw new PriceSourceError('skypilot', `no catalog folder ${dir}: run 'lutflow lookup --refresh' to fetch the catalogs`);
    const files = catalogFiles(dir);
    if (!files.length) throw new PriceSourceError('skypilot', `no <cloud>_vms_v8.csv files in ${dir}`);
    const metaFile = join(dir, SKYPILOT_META);
    const meta = existsSync(metaFile) ? (JSON.parse(readFileSync(metaFile, 'utf8')) as SkyPilotMeta) : undefined;
    const asOf = (meta?.fetched_at ?? new Date(Math.min(...files.map((f) => statSync(f.path).mtimeMs))).toISOString()).slice(0, 10);
    const names = acceleratorNames(dir, specs);
    const offers: GpuOffer[] = [];
    const warnings: string[] = [];
    for (const f of files) {
      const imp = parseSkyPilotOffers(readFileSync(f.path, 'utf8'), f.cloud, names, asOf, `SkyPilot catalog ${f.cloud} (${f.path})`);
      for (const { line: _line, ...o } of imp.taken) offers.push(o);
      for (const r of imp.rejected) warnings.push(`${f.path}:${r.line}: ${r.reason}`);
    }
    return (loaded = { offers, warnings, asOf, clouds: files.map((f) => f.cloud), names });
  };
  return {
    name: 'skypilot',
    async offers(query = {}): Promise<SourceAnswer> {
      const l = load();
      const id = query.gpu === undefined ? undefined : l.names.resolve(query.gpu).id;
      return {
        source: `SkyPilot catalogs (${l.clouds.join(', ')}) in ${dir}`, asOf: l.asOf,
        stale: isStale(l.asOf, (opts.now ?? Date.now)(), opts.maxAgeDays),
        offers: l.offers.filter((o) => id === undefined || o.gpu === id), warnings: l.warnings,
      };
    },
  };
}
