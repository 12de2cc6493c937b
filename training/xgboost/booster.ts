import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { check, loadXGBoost, xgboostVersion, type XGBoostLibrary } from '../../model/native/library.js';

export interface Matrix {
  /** Row-major, NaN for a missing value. */
  readonly x: Float32Array;
  readonly rows: number;
  readonly cols: number;
  readonly label?: Float32Array;
}

export interface RoundReport {
  readonly round: number;
  readonly train: number;
  readonly valid?: number;
  readonly metric: string;
}

export interface FitOptions {
  readonly train: Matrix;
  readonly valid?: Matrix;
  readonly params: Readonly<Record<string, string | number>>;
  readonly rounds: number;
  /** Stop when the validation metric has not improved for this many rounds (needs `valid`). */
  readonly earlyStoppingRounds?: number;
  readonly featureNames?: readonly string[];
  readonly onRound?: (r: RoundReport) => void;
}

export interface FitResult {
  /** Official XGBoost JSON of the model cut at the best round. */
  readonly modelJson: string;
  readonly bestRound: number;
  readonly rounds: number;
  readonly history: RoundReport[];
  readonly libraryVersion: string;
}

type Handle = unknown;

function dmatrix(lib: XGBoostLibrary, m: Matrix, names?: readonly string[]): Handle {
  if (m.x.length !== m.rows * m.cols) throw new RangeError(`matrix: expected ${m.rows * m.cols} values, got ${m.x.length}`);
  const out: Handle[] = [null];
  check(lib, 'XGDMatrixCreateFromMat', lib.XGDMatrixCreateFromMat(m.x, m.rows, m.cols, NaN, out));
  if (m.label) check(lib, 'XGDMatrixSetFloatInfo(label)', lib.XGDMatrixSetFloatInfo(out[0], 'label', m.label, m.rows));
  if (names) check(lib, 'XGDMatrixSetStrFeatureInfo', lib.XGDMatrixSetStrFeatureInfo(out[0], 'feature_name', [...names], names.length));
  return out[0];
}

/** "[3]\ttrain-quantile:0.12\tvalid-quantile:0.15" → metric name and values. */
function parseEval(s: string): { metric: string; values: Record<string, number> } {
  const values: Record<string, number> = {};
  let metric = '';
  for (const part of s.split('\t').slice(1)) {
    const m = /^(\w+)-([\w@:.-]+):(.+)$/.exec(part);
    if (m) { values[m[1]] = Number(m[3]); metric = m[2]; }
  }
  return { metric, values };
}

/** Fits a booster with the real XGBoost through its C API, round by round, with early stopping on `valid`. */
export function fitBooster(opts: FitOptions): FitResult {
  const lib = loadXGBoost();
  const handles: Handle[] = [];
  const boosters: Handle[] = [];
  try {
    const dtrain = dmatrix(lib, opts.train, opts.featureNames);
    handles.push(dtrain);
    const dvalid = opts.valid ? dmatrix(lib, opts.valid, opts.featureNames) : undefined;
    if (dvalid) handles.push(dvalid);
    const evalSets = dvalid ? [dtrain, dvalid] : [dtrain];
    const evalNames = dvalid ? ['train', 'valid'] : ['train'];
    const b: Handle[] = [null];
    check(lib, 'XGBoosterCreate', lib.XGBoosterCreate(evalSets, evalSets.length, b));
    boosters.push(b[0]);
    for (const [k, v] of Object.entries(opts.params)) check(lib, `XGBoosterSetParam(${k})`, lib.XGBoosterSetParam(b[0], k, String(v)));
    if (opts.featureNames) check(lib, 'XGBoosterSetStrFeatureInfo', lib.XGBoosterSetStrFeatureInfo(b[0], 'feature_name', [...opts.featureNames], opts.featureNames.length));

    const history: RoundReport[] = [];
    let best = Infinity, bestRound = 0, round = 0;
    for (; round < opts.rounds; round++) {
      check(lib, 'XGBoosterUpdateOneIter', lib.XGBoosterUpdateOneIter(b[0], round, dtrain));
      const out: string[] = [''];
      check(lib, 'XGBoosterEvalOneIter', lib.XGBoosterEvalOneIter(b[0], round, evalSets, evalNames, evalSets.length, out));
      const { metric, values } = parseEval(out[0]);
      const report = { round, train: values.train, valid: values.valid, metric };
      history.push(report);
      opts.onRound?.(report);
      const score = values.valid ?? values.train;
      if (score < best) { best = score; bestRound = round; }
      if (opts.earlyStoppingRounds && dvalid && round - bestRound >= opts.earlyStoppingRounds) { round++; break; }
    }
    const sliced: Handle[] = [null];
    check(lib, 'XGBoosterSlice', lib.XGBoosterSlice(b[0], 0, bestRound + 1, 1, sliced));
    boosters.push(sliced[0]);
    const path = join(tmpdir(), `lutflow-${randomUUID()}.json`);
    try {
      check(lib, 'XGBoosterSaveModel', lib.XGBoosterSaveModel(sliced[0], path));
      return { modelJson: readFileSync(path, 'utf8'), bestRound, rounds: round, history, libraryVersion: xgboostVersion(lib).join('.') };
    } finally {
      rmSync(path, { force: true });
    }
  } finally {
    for (const h of boosters) lib.XGBoosterFree(h);
    for (const h of handles) lib.XGDMatrixFree(h);
  }
}
