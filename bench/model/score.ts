/**
 * The accuracy benchmark's scorer: a separate path from the training code's metric functions (training/pcpo/
 * metrics.ts), so a mistake there cannot flatter the figures here. Input: what `lutflow predict` printed and the
 * measured outcome of each run.
 */
export interface Scored {
  readonly runs: number;
  readonly priced: number;
  readonly medianApe: number;
  readonly mape: number;
  /** Share of priced runs whose measured value is at or below the predicted P90, %. */
  readonly coverage: number;
  readonly medianReserve: number;
  /** Worst group by median APE, with its runs. */
  readonly worst?: { readonly group: string; readonly runs: number; readonly medianApe: number };
}

export interface PredictionLine {
  readonly run_id?: string;
  readonly feasible?: boolean;
  readonly p50?: number;
  readonly p90?: number;
  readonly error?: string;
}

function middle(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = values.slice().sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[h] : 0.5 * (s[h - 1] + s[h]);
}

/** Scores predictions against actuals by run id; runs the predictor refused or failed on count as not priced. */
export function score(
  lines: readonly PredictionLine[],
  actual: ReadonlyMap<string, number>,
  groupOf?: (runId: string) => string,
): Scored {
  const apes: number[] = [],
    reserves: number[] = [];
  let covered = 0;
  const byGroup = new Map<string, number[]>();
  for (const line of lines) {
    if (!line.run_id || line.feasible !== true || line.p50 === undefined || line.p90 === undefined) continue;
    const y = actual.get(line.run_id);
    if (y === undefined || !(y > 0)) continue;
    const e = (100 * Math.abs(line.p50 - y)) / y;
    apes.push(e);
    reserves.push(line.p90 / y);
    if (y <= line.p90 * (1 + 1e-9)) covered += 1;
    if (groupOf) {
      const g = groupOf(line.run_id);
      byGroup.set(g, [...(byGroup.get(g) ?? []), e]);
    }
  }
  let worst: Scored['worst'];
  for (const [group, es] of byGroup) {
    const m = middle(es);
    if (!worst || m > worst.medianApe) worst = { group, runs: es.length, medianApe: m };
  }
  return {
    runs: actual.size,
    priced: apes.length,
    medianApe: middle(apes),
    mape: apes.reduce((a, b) => a + b, 0) / apes.length,
    coverage: (100 * covered) / apes.length,
    medianReserve: middle(reserves),
    worst,
  };
}
