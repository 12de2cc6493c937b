import { FEATURE_COUNT } from '../../features/index.js';
import { TARGETS, toTransformed, type TargetDef } from '../../model/index.js';
import type { RunRecord } from '../../stream/index.js';
import { TrainingError } from './errors.js';

/** The rows of one target: finished, succeeded runs of its kind with a usable baseline. */
export interface TargetRows {
  readonly target: TargetDef;
  readonly rows: number[];
  /** Indexed by record index. */
  readonly label: Float64Array;
  readonly baseline: Float64Array;
  /** Runs of this kind left out, with why (failed or cancelled runs, no baseline). */
  readonly excluded: Record<string, number>;
}

export function targetRows(records: readonly RunRecord[], matrix: Float32Array, target: TargetDef): TargetRows {
  const label = new Float64Array(records.length).fill(NaN);
  const baseline = new Float64Array(records.length).fill(NaN);
  const rows: number[] = [];
  const excluded: Record<string, number> = {};
  const skip = (why: string) => { excluded[why] = (excluded[why] ?? 0) + 1; };
  records.forEach((r, i) => {
    if (r.plan.kind !== target.kind) return;
    if (!r.outcome) return skip('no outcome yet');
    if (r.outcome.status !== 'succeeded') return skip(`status ${r.outcome.status}`);
    const y = target.label(r);
    if (y === undefined || !Number.isFinite(y) || y < 0 || (target.offset === 0 && y === 0)) {
      throw new TrainingError('BAD_LABEL', `run ${r.run_id}: ${target.name} is ${y}; a succeeded ${target.kind} run needs a ${target.offset === 0 ? 'positive' : 'non-negative'} finite label`, `outcome.${target.name}`);
    }
    const b = target.baseline(matrix, i);
    if (!(b > 0) || !Number.isFinite(b)) return skip(`no baseline (${target.name === 'gpu_seconds' ? 'model or GPU unknown to the catalog' : 'no token limit'})`);
    label[i] = y;
    baseline[i] = b;
    rows.push(i);
  });
  return { target, rows, label, baseline, excluded };
}

/** Gathers rows into a dense matrix and transformed labels for XGBoost. */
export function gather(matrix: Float32Array, t: TargetRows, rows: readonly number[]): { x: Float32Array; y: Float32Array; rows: number; cols: number } {
  const x = new Float32Array(rows.length * FEATURE_COUNT);
  const y = new Float32Array(rows.length);
  rows.forEach((i, k) => {
    x.set(matrix.subarray(i * FEATURE_COUNT, (i + 1) * FEATURE_COUNT), k * FEATURE_COUNT);
    y[k] = toTransformed(t.target, t.label[i], t.baseline[i]);
  });
  return { x, y, rows: rows.length, cols: FEATURE_COUNT };
}

export { TARGETS };
