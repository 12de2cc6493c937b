import type { AccuracySummary } from './schemas.js';

export interface Scored {
  readonly predicted_p50_usd: number;
  readonly predicted_p90_usd: number;
  readonly actual_usd: number;
}

/**
 * Median absolute percentage error of the P50 (runs that cost nothing left out) and the percentage of runs whose actual
 * cost was within the P90: in percent, as the model card and `lutflow eval` give them.
 */
export function summarize(runs: readonly Scored[]): AccuracySummary {
  if (!runs.length) return { runs: 0, median_ape: null, p90_coverage: null };
  const ape = runs.filter((r) => r.actual_usd > 0).map((r) => Math.abs(r.predicted_p50_usd - r.actual_usd) / r.actual_usd).sort((a, b) => a - b);
  const mid = ape.length >> 1;
  const median = !ape.length ? null : ape.length % 2 ? ape[mid] : (ape[mid - 1] + ape[mid]) / 2;
  const covered = runs.filter((r) => r.actual_usd <= r.predicted_p90_usd + 1e-9).length;
  return { runs: runs.length, median_ape: median === null ? null : round2(median * 100), p90_coverage: round2((covered / runs.length) * 100) };
}

const round2 = (x: number) => Math.round(x * 100) / 100;
