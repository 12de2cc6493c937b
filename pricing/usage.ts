import { tokenCostMicros, type Micros } from './money.js';
import type { TokenPrice } from './token-prices.js';

/**
 * Token usage in one shape for every provider, converted once at the edge (sdk/providers/*). A count
 * the provider did not report stays undefined rather than 0.
 */
export interface NormalizedUsage {
  readonly input: {
    /** All prompt tokens: uncached + cache reads + cache writes. */
    readonly total?: number;
    readonly noCache?: number;
    readonly cacheRead?: number;
    readonly cacheWrite5m?: number;
    readonly cacheWrite1h?: number;
  };
  readonly output: {
    /** All generated tokens, reasoning included. */
    readonly total?: number;
    readonly reasoning?: number;
  };
}

export interface PriceTier {
  /** The provider's batch API (half price where offered). */
  readonly batch?: boolean;
}

export interface UsageCost {
  readonly micros: Micros;
  readonly longContext: boolean;
}

/**
 * Exact cost of one call's usage, in µ$: uncached input, cache reads, cache writes (5 minutes, 1 hour),
 * output, reasoning where it is priced apart, and a per-request fee where the host charges one. Long-context prices apply to the whole call once its
 * prompt passes the threshold; the batch tier halves input and output where the provider offers it.
 */
export function usageCostMicros(u: NormalizedUsage, p: TokenPrice, tier: PriceTier = {}): UsageCost {
  const cacheRead = u.input.cacheRead ?? 0;
  const w5 = u.input.cacheWrite5m ?? 0;
  const w1 = u.input.cacheWrite1h ?? 0;
  const noCache = u.input.noCache ?? Math.max(0, (u.input.total ?? 0) - cacheRead - w5 - w1);
  const promptTotal = u.input.total ?? noCache + cacheRead + w5 + w1;
  const long = p.longContext !== undefined && promptTotal > p.longContext.thresholdTokens;
  const input = long ? p.longContext!.input : tier.batch && p.batchInput !== undefined ? p.batchInput : p.input;
  const output = long ? p.longContext!.output : tier.batch && p.batchOutput !== undefined ? p.batchOutput : p.output;
  const cached = long ? p.longContext!.cachedInput ?? p.cachedInput ?? input : p.cachedInput ?? input;
  const scale = long ? p.longContext!.input / p.input : 1;
  const write5 = p.cacheWrite5m === undefined ? input : Math.round(p.cacheWrite5m * scale);
  const write1 = p.cacheWrite1h === undefined ? write5 : Math.round(p.cacheWrite1h * scale);
  const outTotal = u.output.total ?? 0;
  const reasoning = p.reasoning !== undefined ? Math.min(outTotal, u.output.reasoning ?? 0) : 0;
  const micros =
    tokenCostMicros(noCache, input) + tokenCostMicros(cacheRead, cached) + tokenCostMicros(w5, write5) + tokenCostMicros(w1, write1) +
    tokenCostMicros(outTotal - reasoning, output) + (reasoning ? tokenCostMicros(reasoning, p.reasoning!) : 0) + (p.perRequest ?? 0);
  return { micros, longContext: long };
}
