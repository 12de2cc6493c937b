import { FEATURE_COUNT, FEATURE_INDEX } from '../../features/index.js';
import { TARGETS, toTransformed, type TargetDef } from '../../model/index.js';
import type { RunRecord } from '../../stream/index.js';
import { TrainingError } from './errors.js';

/** The rows of one target: finished, succeeded runs of its kind whose vector has what a baseline needs. */
export interface TargetRows {
  readonly target: TargetDef;
  readonly rows: number[];
  /** Indexed by record index. */
  readonly label: Float64Array;
  /** Runs of this kind left out, with why (failed or cancelled runs, no baseline). */
  readonly excluded: Record<string, number>;
}

export function targetRows(records: readonly RunRecord[], matrix: Float32Array, target: TargetDef): TargetRows {
  const label = new Float64Array(records.length).fill(NaN);
  const rows: number[] = [];
  const excluded: Record<string, number> = {};
  const skip = (why: string) => {
    excluded[why] = (excluded[why] ?? 0) + 1;
  };
  records.forEach((r, i) => {
    if (r.plan.kind !== target.kind) return;
    if (!r.outcome) return skip('no outcome yet');
    if (r.outcome.status !== 'succeeded') return skip(`status ${r.outcome.status}`);
    const y = target.label(r);
    if (y === undefined || !Number.isFinite(y) || y < 0 || (target.offset === 0 && y === 0)) {
      throw new TrainingError(
        'BAD_LABEL',
        `run ${r.run_id}: ${target.name} is ${y}; a succeeded ${target.kind} run needs a ${target.offset === 0 ? 'positive' : 'non-negative'} finite label`,
        `outcome.${target.name}`,
      );
    }
    if (!target.usable(matrix, i))
      return skip(
        `no baseline (${target.name === 'gpu_seconds' ? 'model or GPU unknown to the catalog and not described' : 'no token limit'})`,
      );
    label[i] = y;
    rows.push(i);
  });
  return { target, rows, label, excluded };
}

export interface Gathered {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly rows: number;
  readonly cols: number;
}

/** Gathers rows into a dense matrix and labels transformed against `baseline[i]`; `masked` columns become missing. */
export function gather(
  matrix: Float32Array,
  t: TargetRows,
  rows: readonly number[],
  baseline: Float64Array,
  masked: readonly number[] = [],
): Gathered {
  const x = new Float32Array(rows.length * FEATURE_COUNT);
  const y = new Float32Array(rows.length);
  rows.forEach((i, k) => {
    x.set(matrix.subarray(i * FEATURE_COUNT, (i + 1) * FEATURE_COUNT), k * FEATURE_COUNT);
    for (const c of masked) x[k * FEATURE_COUNT + c] = NaN;
    y[k] = toTransformed(t.target, t.label[i], baseline[i]);
  });
  return { x, y, rows: rows.length, cols: FEATURE_COUNT };
}

/** XGBoost's `monotone_constraints` for a target: +1 on every feature its factor may only rise with. */
export function monotoneConstraints(target: TargetDef): string {
  const up = new Set(target.monotoneIncreasing.map((f) => FEATURE_INDEX[f]));
  return `(${Array.from({ length: FEATURE_COUNT }, (_, i) => (up.has(i) ? 1 : 0)).join(',')})`;
}

export { TARGETS };
