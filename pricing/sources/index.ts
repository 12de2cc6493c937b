import { homedir } from 'node:os';
import { join } from 'node:path';
import { PricingError } from '../errors.js';
import type { GpuSpecTable } from '../gpu-specs.js';
import { builtinSource } from './builtin.js';
import { acceleratorNames, skypilotSource } from './skypilot.js';
import { tinyfishSource } from './tinyfish.js';
import { DEFAULT_MAX_AGE_DAYS, isStale, PriceSourceError, type GpuOffer, type PriceSource, type SourceAnswer } from './types.js';

export { AcceleratorNames, gpuInfoMemoryGb, type ResolvedAccelerator } from './accelerators.js';
export { builtinSource } from './builtin.js';
export { acceleratorNames, catalogFiles, skypilotSource, SKYPILOT_META, COMMON_ACCELERATORS } from './skypilot.js';
export { refreshSkyPilotCatalogs, SKYPILOT_CATALOG_URL, SKYPILOT_CLOUDS, type RefreshResult } from './refresh.js';
export { tinyfishSource, DEFAULT_PAGES, TINYFISH_URL, type PricePage, type TinyfishOptions } from './tinyfish.js';
export { isStale, PriceSourceError, DEFAULT_MAX_AGE_DAYS, type GpuOffer, type PriceSource, type SourceAnswer } from './types.js';

/** Where SkyPilot's catalogs are cached (LUTFLOW_SKYPILOT_DIR). */
export function skypilotCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.LUTFLOW_SKYPILOT_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'lutflow', 'skypilot');
}

export interface SourcesOptions {
  readonly specs: GpuSpecTable;
  /** A folder of SkyPilot catalogs (default: the cache); none read when it does not exist. */
  readonly skypilotDir?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Leave out the live source even when TINYFISH_API_KEY is set. */
  readonly offline?: boolean;
  readonly now?: () => number;
}

/** Every source this environment has: the snapshot, SkyPilot's catalogs, and the live API when its key is set. */
export function maxPriceAgeDays(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.LUTFLOW_PRICE_MAX_AGE_DAYS;
  if (v === undefined || v === '') return DEFAULT_MAX_AGE_DAYS;
  const n = Number(v);
  if (!(n > 0)) throw new PricingError('BAD_PRICE', `LUTFLOW_PRICE_MAX_AGE_DAYS must be a positive number of days, got '${v}'`);
  return n;
}

export function priceSources(opts: SourcesOptions): PriceSource[] {
  const env = opts.env ?? process.env;
  const maxAgeDays = maxPriceAgeDays(env);
  const dir = opts.skypilotDir ?? skypilotCacheDir(env);
  const sources = [builtinSource(opts.specs, { now: opts.now, maxAgeDays }), skypilotSource(dir, opts.specs, { now: opts.now, maxAgeDays })];
  if (env.TINYFISH_API_KEY && !opts.offline) {
    sources.push(tinyfishSource(acceleratorNames(dir, opts.specs), {
      apiKey: env.TINYFISH_API_KEY, baseUrl: env.TINYFISH_BASE_URL, now: opts.now, maxAgeDays,
      cacheFile: join(dir, '..', 'tinyfish-prices.json'),
    }));
  }
  return sources;
}

export interface GpuLookup {
  /** The accelerator as every source names it. */
  readonly gpu: string;
  readonly known: boolean;
  /** Cheapest first (on-demand, or spot with `spot`); offers with only the other kind of price last. */
  readonly offers: readonly (GpuOffer & { readonly stale: boolean })[];
  readonly sources: readonly (Omit<SourceAnswer, 'offers'> & { name: string; offers: number })[];
  /** Sources that could not answer, with why. */
  readonly failed: readonly { name: string; error: string }[];
}

/** Asks every source for one accelerator; a source that fails is reported, not fatal, unless none answers. */
export async function lookupGpuPrices(sources: readonly PriceSource[], gpu: string, opts: {
  specs: GpuSpecTable; skypilotDir?: string; spot?: boolean; now?: () => number; maxAgeDays?: number;
}): Promise<GpuLookup> {
  const resolved = acceleratorNames(opts.skypilotDir, opts.specs).resolve(gpu);
  const answers: GpuLookup['sources'][number][] = [];
  const failed: { name: string; error: string }[] = [];
  const offers: GpuOffer[] = [];
  await Promise.all(sources.map(async (s) => {
    try {
      const a = await s.offers({ gpu });
      offers.push(...a.offers);
      answers.push({ name: s.name, source: a.source, asOf: a.asOf, stale: a.stale, warnings: a.warnings, offers: a.offers.length });
    } catch (err) {
      if (!(err instanceof PriceSourceError)) throw err;
      failed.push({ name: s.name, error: err.message });
    }
  }));
  if (!answers.length) throw new PricingError('NO_GPU_PRICE', `no price source answered: ${failed.map((f) => f.error).join('; ')}`, { field: 'gpu' });
  if (!offers.length && !resolved.known) {
    const closest = opts.specs.closest(gpu);
    throw new PricingError('UNKNOWN_GPU', `unknown GPU '${gpu}': no source lists it; closest known: ${closest.join(', ')}`, { field: 'gpu', closest });
  }
  const key = (o: GpuOffer) => (opts.spot ? o.spotMicrosPerHour : o.onDemandMicrosPerHour) ?? Infinity;
  const other = (o: GpuOffer) => (opts.spot ? o.onDemandMicrosPerHour : o.spotMicrosPerHour) ?? Infinity;
  offers.sort((a, b) => key(a) - key(b) || other(a) - other(b) || a.provider.localeCompare(b.provider) || a.region.localeCompare(b.region));
  answers.sort((a, b) => a.name.localeCompare(b.name));
  const now = (opts.now ?? Date.now)();
  const dated = offers.map((o) => ({ ...o, stale: isStale(o.asOf, now, opts.maxAgeDays) }));
  return { gpu: resolved.id, known: resolved.known, offers: dated, sources: answers, failed };
}
