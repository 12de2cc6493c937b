import { FEATURE_COUNT, FEATURE_INDEX, FEATURE_NAMES } from '../../features/index.js';
import { ensembleFromJson, fromTransformed, type BaselineParams, type TreeEnsemble } from '../../model/index.js';
import type { RunRecord } from '../../stream/index.js';
import { fitBooster, type RoundReport } from '../xgboost/booster.js';
import { enforceMonotone } from '../xgboost/monotone.js';
import { gather, type TargetRows } from './dataset.js';
import { TrainingError } from './errors.js';
import { conformalQuantile } from './metrics.js';
import { fitOutputPrior } from './prior.js';
import { fitPhysicsCalibration } from './physics-fit.js';
import { validationSplit, type Fold, type Scheme } from './split.js';

/** Everything one target's fits share. */
export interface FitContext {
  readonly records: readonly RunRecord[];
  readonly matrix: Float32Array;
  readonly t: TargetRows;
  readonly scheme: Scheme;
  readonly seed: number;
  readonly params: Readonly<Record<string, string | number>>;
  readonly maxRounds: number;
  readonly earlyStoppingRounds: number;
  /** Vector positions the trees see as missing (the hardware-blind model). */
  readonly masked: readonly number[];
  readonly onRound?: (r: RoundReport) => void;
}

export interface FittedModel {
  readonly baseline: BaselineParams;
  readonly modelJson: string;
  readonly ensemble: TreeEnsemble;
  readonly bestRound: number;
  readonly roundsRun: number;
  readonly libraryVersion: string;
}

/** The baseline's parameters from training rows only: engine efficiency for GPU-seconds, the output prior for tokens. */
export function fitBaselineParams(ctx: FitContext, rows: readonly number[]): BaselineParams {
  return ctx.t.target.name === 'gpu_seconds'
    ? { physics: fitPhysicsCalibration(ctx.matrix, rows, ctx.t.label) }
    : { prior: fitOutputPrior(ctx.records, ctx.matrix, rows, ctx.t.label) };
}

export function baselinesFor(ctx: FitContext, params: BaselineParams, rows: readonly number[]): Float64Array {
  const base = new Float64Array(ctx.records.length).fill(NaN);
  for (const i of rows) {
    const b = ctx.t.target.baseline(ctx.matrix, i, params, ctx.records[i].plan.model);
    if (!(b > 0) || !Number.isFinite(b))
      throw new TrainingError(
        'BAD_LABEL',
        `run ${ctx.records[i].run_id}: its ${ctx.t.target.name} baseline is ${b}`,
        'baseline',
      );
    base[i] = b;
  }
  return base;
}

/**
 * Fits one model on `rows`: the baseline's parameters, then the trees on the log-ratio. With `rounds`,
 * exactly that many rounds on every row; otherwise early stopping on an inner validation slice of the rows.
 */
export function fitModel(ctx: FitContext, rows: readonly number[], rounds?: number): FittedModel {
  const baseline = fitBaselineParams(ctx, rows);
  const base = baselinesFor(ctx, baseline, rows);
  const inner =
    rounds === undefined ? validationSplit(ctx.records, rows, ctx.scheme, ctx.seed) : { fit: [...rows], valid: [] };
  const train = gather(ctx.matrix, ctx.t, inner.fit, base, ctx.masked);
  const valid = inner.valid.length ? gather(ctx.matrix, ctx.t, inner.valid, base, ctx.masked) : undefined;
  const fit = fitBooster({
    train: { ...train, label: train.y },
    valid: valid && { ...valid, label: valid.y },
    params: ctx.params,
    rounds: rounds ?? ctx.maxRounds,
    earlyStoppingRounds: valid ? ctx.earlyStoppingRounds : undefined,
    featureNames: FEATURE_NAMES,
    onRound: ctx.onRound,
  });
  // Objectives that refresh leaves after growing a tree (quantile, absolute error) can undo monotone constraints.
  const { json } = enforceMonotone(
    fit.modelJson,
    new Set(ctx.t.target.monotoneIncreasing.map((f) => FEATURE_INDEX[f])),
  );
  return {
    baseline,
    modelJson: json,
    ensemble: ensembleFromJson(json, `${ctx.t.target.name}.json`),
    bestRound: fit.bestRound,
    roundsRun: fit.rounds,
    libraryVersion: fit.libraryVersion,
  };
}

/** Out-of-fold predictions: each row predicted by the fold that did not learn from it. */
export interface OutOfFold {
  readonly rows: number[];
  /** Transformed actual, and the P50 and P90 margins, aligned with `rows`. */
  readonly z: number[];
  readonly q50: number[];
  readonly q90: number[];
  readonly base: number[];
  readonly bestRounds: number[];
  readonly libraryVersion: string;
}

export function crossValidate(
  ctx: FitContext,
  folds: readonly Fold[],
  log: (line: string) => void = () => {},
): OutOfFold {
  const out: OutOfFold = { rows: [], z: [], q50: [], q90: [], base: [], bestRounds: [], libraryVersion: '' };
  const vec = new Float32Array(FEATURE_COUNT),
    m = new Float64Array(2);
  folds.forEach((f, k) => {
    if (f.test.length === 0 || f.train.length < 10) return;
    const fitted = fitModel(ctx, f.train);
    const base = baselinesFor(ctx, fitted.baseline, f.test);
    for (const i of f.test) {
      vec.set(ctx.matrix.subarray(i * FEATURE_COUNT, (i + 1) * FEATURE_COUNT));
      for (const c of ctx.masked) vec[c] = NaN;
      fitted.ensemble.predictMargin(vec, m);
      out.rows.push(i);
      out.z.push(Math.log((ctx.t.label[i] + ctx.t.target.offset) / (base[i] + ctx.t.target.offset)));
      out.q50.push(m[0]);
      // A single-output model (the median only) gets its P90 from the conformal offset alone.
      out.q90.push(fitted.ensemble.numTarget > 1 ? m[1] : m[0]);
      out.base.push(base[i]);
    }
    out.bestRounds.push(fitted.bestRound);
    (out as { libraryVersion: string }).libraryVersion = fitted.libraryVersion;
    log(
      `  fold ${k + 1}/${folds.length}: learned from ${f.train.length}, predicted ${f.test.length}, best round ${fitted.bestRound}`,
    );
  });
  return out;
}

/** The cross-conformal P90 offset: the 90 % conformal quantile of actual minus predicted P90, out of fold. */
export function conformalOffset(oof: OutOfFold): number {
  return oof.rows.length
    ? conformalQuantile(
        oof.z.map((z, k) => z - oof.q90[k]),
        0.9,
      )
    : 0;
}

/** Scores a group needs before it gets its own offset. */
export const MIN_GROUP_SCORES = 30;

/**
 * Mondrian (group-conditional) cross-conformal offsets: one per group with enough out-of-fold scores, so a
 * steady accelerator x engine gets a tight P90 and an erratic one a wide P90, each covering about 90 % of its runs.
 */
export function groupOffsets(oof: OutOfFold, key: (row: number) => string): Record<string, number> {
  const scores = new Map<string, number[]>();
  oof.rows.forEach((i, k) => {
    const g = key(i);
    const list = scores.get(g);
    if (list) list.push(oof.z[k] - oof.q90[k]);
    else scores.set(g, [oof.z[k] - oof.q90[k]]);
  });
  const out: Record<string, number> = {};
  for (const [g, s] of scores) if (s.length >= MIN_GROUP_SCORES) out[g] = conformalQuantile(s, 0.9);
  return out;
}

/** Out-of-fold P50 and P90 in the target's units, each row's offset applied. */
export function oofPredictions(
  ctx: FitContext,
  oof: OutOfFold,
  offset: number | ((row: number) => number),
): { actual: number[]; p50: number[]; p90: number[] } {
  const def = ctx.t.target;
  const offsetOf = typeof offset === 'number' ? () => offset : offset;
  const actual: number[] = [],
    p50: number[] = [],
    p90: number[] = [];
  oof.rows.forEach((i, k) => {
    const cap = def.cap(ctx.matrix, i);
    const a = fromTransformed(def, oof.q50[k], oof.base[k], cap);
    actual.push(ctx.t.label[i]);
    p50.push(a);
    p90.push(Math.max(a, fromTransformed(def, oof.q90[k] + offsetOf(i), oof.base[k], cap)));
  });
  return { actual, p50, p90 };
}

/** The rounds the final fit runs: the median of the folds' early-stopped best rounds. */
export function finalRounds(bestRounds: readonly number[], fallback: number): number {
  if (!bestRounds.length) return fallback;
  const s = [...bestRounds].sort((a, b) => a - b);
  return Math.max(1, s[s.length >> 1] + 1);
}
