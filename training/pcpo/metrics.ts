export interface AccuracyMetrics {
  readonly rows: number;
  /** Mean absolute percentage error, %. */
  readonly mape: number | null;
  /** Median absolute percentage error, %. */
  readonly median_ape: number | null;
}

export interface IntervalMetrics extends AccuracyMetrics {
  /** Share of runs whose actual value is at or below the P90, %. */
  readonly p90_coverage: number | null;
  /** Median of P90 / actual: what a reservation at the P90 holds against what the run used. */
  readonly p90_reserve_ratio: number | null;
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** Percentage errors skip rows whose actual value is 0 (an APE there is undefined). */
export function accuracy(actual: readonly number[], predicted: readonly number[]): AccuracyMetrics {
  const ape: number[] = [];
  for (let i = 0; i < actual.length; i++) if (actual[i] > 0 && Number.isFinite(predicted[i])) ape.push((Math.abs(predicted[i] - actual[i]) / actual[i]) * 100);
  return { rows: ape.length, mape: ape.length ? round(ape.reduce((a, b) => a + b, 0) / ape.length) : null, median_ape: ape.length ? round(median(ape)) : null };
}

export function intervalAccuracy(actual: readonly number[], p50: readonly number[], p90: readonly number[]): IntervalMetrics {
  let covered = 0;
  const reserve: number[] = [];
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] <= p90[i] * (1 + 1e-9)) covered++;
    if (actual[i] > 0) reserve.push(p90[i] / actual[i]);
  }
  return {
    ...accuracy(actual, p50),
    p90_coverage: actual.length ? round((covered / actual.length) * 100) : null,
    p90_reserve_ratio: reserve.length ? round(median(reserve), 3) : null,
  };
}

/** The split-conformal quantile: the ⌈(n+1)·level⌉-th smallest score. */
export function conformalQuantile(scores: readonly number[], level: number): number {
  const s = [...scores].sort((a, b) => a - b);
  const k = Math.min(s.length, Math.ceil((s.length + 1) * level)) - 1;
  return s[Math.max(0, k)];
}

export { median };
