import { writeFileSync } from 'node:fs';
import { check, koffi, loadXGBoost } from '../../model/native/library.js';
import { ensembleFromJson } from '../../model/index.js';
import { FEATURE_COUNT } from '../../features/index.js';
import { createFeatureBuilder } from '../../features/index.js';
import { builtinCatalog } from '../../pricing/index.js';
import { fitBooster, generateSample } from '../../training/index.js';
import { measure, report } from '../runner.js';

/**
 * The TypeScript predictor against native XGBoost's in-place prediction (XGBoosterPredictFromDense,
 * what Python's `inplace_predict` calls) on the same 100-tree depth-6 model and the same vectors,
 * in one process. Native single-thread and two-thread batch, and native single-row calls.
 */
export function run(): void {
  const catalog = builtinCatalog();
  const { records } = generateSample({ catalog, seed: 5, runs: 10_000 });
  const matrix = createFeatureBuilder({ catalog }).replay(records);
  const rows = records.length;
  const label = Float32Array.from(records, (r) => Math.log1p(r.outcome!.cost_usd_micros));
  const fit = fitBooster({ train: { x: matrix, rows, cols: FEATURE_COUNT, label }, params: { objective: 'reg:squarederror', max_depth: 6, eta: 0.1, tree_method: 'hist', nthread: 2 }, rounds: 100 });
  const ours = ensembleFromJson(fit.modelJson, 'bench');

  const lib = loadXGBoost();
  const empty = [null];
  check(lib, 'XGBoosterCreate', lib.XGBoosterCreate([], 0, empty));
  const booster = empty[0];
  const path = `/tmp/lutflow-bench-${process.pid}.json`;
  writeFileSync(path, fit.modelJson);
  check(lib, 'XGBoosterLoadModel', lib.XGBoosterLoadModel(booster, path));
  const native = koffi.alloc('float', rows * FEATURE_COUNT);
  koffi.encode(native, 'float', Array.from(matrix), rows * FEATURE_COUNT);
  const base = koffi.address(native) as bigint;
  const iface = (row: number, n: number) => JSON.stringify({ data: [Number(base + BigInt(row * FEATURE_COUNT * 4)), true], shape: [n, FEATURE_COUNT], typestr: '<f4', version: 3 });
  const config = '{"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false, "missing": NaN, "cache_id": 0}';
  const shape = [null], dim = [0], result = [null];
  const nativePredict = (row: number, n: number, ifc = iface(row, n)) => check(lib, 'XGBoosterPredictFromDense', lib.XGBoosterPredictFromDense(booster, ifc, config, null, shape, dim, result));

  // Same answers before timing anything.
  nativePredict(0, 1000);
  const theirs = koffi.decode(result[0], 'float', 1000) as Float32Array;
  const mine = ours.predictBatch(matrix, 1000);
  let maxDiff = 0;
  for (let i = 0; i < 1000; i++) maxDiff = Math.max(maxDiff, Math.abs(theirs[i] - mine[i]));
  console.log(`\nmodel: ${ours.treeCount} trees, depth 6; max |ours - native| over 1,000 rows = ${maxDiff.toExponential(2)}`);

  const singles = Array.from({ length: 1000 }, (_, i) => iface(i, 1));
  const out = new Float64Array(1);
  const batchOut = new Float64Array(rows);
  check(lib, 'XGBoosterSetParam', lib.XGBoosterSetParam(booster, 'nthread', '1'));
  const nativeSingle = measure('native, one row per call (1 thread)', 1000, () => { for (let i = 0; i < 1000; i++) nativePredict(i, 1, singles[i]); });
  const nativeBatch1 = measure('native batch of 10,000 (1 thread)', rows, () => nativePredict(0, rows));
  check(lib, 'XGBoosterSetParam', lib.XGBoosterSetParam(booster, 'nthread', '2'));
  const nativeBatch2 = measure('native batch of 10,000 (2 threads)', rows, () => nativePredict(0, rows));
  const tsSingle = measure('TypeScript, one row per call', 1000, () => { for (let i = 0; i < 1000; i++) ours.predictMargin(matrix, out, i * FEATURE_COUNT); });
  const tsBatch = measure('TypeScript batch of 10,000 (1 thread)', rows, () => ours.predictBatch(matrix, rows, batchOut));
  report('model: predictions per second, 100 trees of depth 6', nativeSingle, [tsSingle, nativeBatch1, nativeBatch2, tsBatch]);
  console.log(`\nTypeScript batch vs native single-thread batch: ${(tsBatch.opsPerSecond / nativeBatch1.opsPerSecond).toFixed(3)}`);
  lib.XGBoosterFree(booster);
  koffi.free(native);
}

