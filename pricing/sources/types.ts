import type { Micros } from '../money.js';

/** One accelerator offer at one provider and region, priced per GPU-hour (an 8-GPU instance's price / 8). */
export interface GpuOffer {
  /** The accelerator, normalised (accelerators.ts): a catalog GPU id when the spec table knows it. */
  readonly gpu: string;
  /** Whether `gpu` is a catalog GPU id (specs known) or only SkyPilot's or the provider's name. */
  readonly known: boolean;
  readonly provider: string;
  readonly region: string;
  readonly instanceType?: string;
  /** GPUs in the instance this price was divided from. */
  readonly gpuCount?: number;
  readonly onDemandMicrosPerHour?: Micros;
  readonly spotMicrosPerHour?: Micros;
  /** Where the figure comes from: a price page, a catalog file. */
  readonly source: string;
  /** The price's date (YYYY-MM-DD): when it was typed, fetched or extracted. */
  readonly asOf: string;
  /** No list price exists: the figure is derived (the source says how). */
  readonly estimate?: boolean;
}

/** What one source answered: its offers, its date, and whether that date is too old to trust without a warning. */
export interface SourceAnswer {
  readonly source: string;
  readonly asOf: string;
  readonly stale: boolean;
  readonly offers: readonly GpuOffer[];
  /** Rows or pages the source could not use, with why. */
  readonly warnings: readonly string[];
}

/**
 * A place GPU prices come from: the built-in snapshot, SkyPilot's catalogs, a live price API. Each answer names
 * its source and date and says when it is stale; a source that cannot answer rejects with a PriceSourceError.
 */
export interface PriceSource {
  readonly name: string;
  /** Offers for one accelerator (any spelling; see accelerators.ts), or all of them. */
  offers(query?: { gpu?: string }): Promise<SourceAnswer>;
}

export class PriceSourceError extends Error {
  readonly code = 'PRICE_SOURCE';
  constructor(readonly source: string, message: string, cause?: unknown) {
    super(`${source}: ${message}`, cause === undefined ? undefined : { cause });
    this.name = 'PriceSourceError';
  }
}

/** Prices older than this many days are flagged stale (LUTFLOW_PRICE_MAX_AGE_DAYS). */
export const DEFAULT_MAX_AGE_DAYS = 60;

export function isStale(asOf: string, now: number, maxAgeDays = DEFAULT_MAX_AGE_DAYS): boolean {
  const t = Date.parse(asOf);
  return !Number.isFinite(t) || now - t > maxAgeDays * 86_400_000;
}
