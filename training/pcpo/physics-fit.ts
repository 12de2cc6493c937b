import { FEATURE_INDEX as F, FEATURE_COUNT } from '../../features/index.js';
import {
  acceleratorKey,
  calibrationKey,
  DEFAULT_EFFICIENCY,
  deploymentKey,
  physicsRow,
  type EfficiencyParams,
  type PhysicsCalibration,
  type PhysicsRow,
} from '../../model/index.js';

const P = 5;
/** Residuals beyond this (log scale) count less and less: a few odd runs do not drag an engine's efficiency. */
const ROBUST_SCALE = 0.3;
/**
 * Pull towards the parent's parameters (a Gaussian prior on each log-parameter, as strong as a few runs): groups
 * with few runs stay near their parent, and what the runs cannot tell apart stays where the parent put it. The
 * global fit's parent is a guess, so it barely pulls.
 */
const SHRINK = 1;
const SHRINK_GLOBAL = 0.01;
const MIN_GROUP_RUNS = 10;

/** ln of the calibrated GPU-seconds and its gradient in the five log-parameters. */
function evaluate(t: PhysicsRow, p: EfficiencyParams, grad: Float64Array): number {
  const bw = Math.exp(-p[0]),
    fl = Math.exp(-p[1]);
  const run = t.gpus * Math.exp(p[3]),
    steps = Math.exp(p[2]) * 1e-3 * t.layerStepsK,
    link = Math.exp(p[4]) * t.interconnect;
  const pc = t.prefillCompute * fl,
    pm = t.prefillMemory * bw,
    dm = t.decodeMemory * bw,
    dc = t.decodeCompute * fl;
  const f = run + Math.max(pc, pm) + Math.max(dm, dc) + steps + link;
  grad[0] = -((pm > pc ? pm : 0) + (dm >= dc ? dm : 0)) / f;
  grad[1] = -((pm > pc ? 0 : pc) + (dm >= dc ? 0 : dc)) / f;
  grad[2] = steps / f;
  grad[3] = run / f;
  grad[4] = link / f;
  return Math.log(f);
}

function solve(A: Float64Array, b: Float64Array): Float64Array {
  const M = Array.from({ length: P }, (_, i) => [...A.subarray(i * P, i * P + P), b[i]]);
  for (let i = 0; i < P; i++) {
    let piv = i;
    for (let j = i + 1; j < P; j++) if (Math.abs(M[j][i]) > Math.abs(M[piv][i])) piv = j;
    [M[i], M[piv]] = [M[piv], M[i]];
    for (let j = 0; j < P; j++) {
      if (j === i || M[i][i] === 0) continue;
      const f = M[j][i] / M[i][i];
      for (let c = i; c <= P; c++) M[j][c] -= f * M[i][c];
    }
  }
  return Float64Array.from(M, (row, i) => (row[i] === 0 ? 0 : row[P] / row[i]));
}

/**
 * Robust (soft-L1) least squares on ln GPU-seconds by Levenberg-Marquardt, shrunk towards `prior`. Runs whose
 * interconnect term is zero cannot inform its factor, so the pull keeps it at the prior.
 */
export function fitEfficiency(
  terms: readonly PhysicsRow[],
  logY: readonly number[],
  prior: EfficiencyParams,
  shrink = SHRINK,
): EfficiencyParams {
  // The maxima make the loss non-convex: start from the prior and from a few points around it, keep the best.
  let best = { loss: Infinity, p: prior };
  for (const shift of STARTS) {
    const r = descend(terms, logY, prior, prior.map((v, j) => v + shift[j]) as unknown as EfficiencyParams, shrink);
    if (r.loss < best.loss) best = r;
  }
  return best.p;
}

const STARTS: readonly (readonly number[])[] = [
  [0, 0, 0, 0, 0],
  [0, 0, 3, 0, 0],
  [0, 0, -3, 0, 0],
  [0, 0, 0, 2, 0],
  [-1, -1, 0, -2, 1],
];

function descend(
  terms: readonly PhysicsRow[],
  logY: readonly number[],
  prior: EfficiencyParams,
  start: EfficiencyParams,
  shrink: number,
): { loss: number; p: EfficiencyParams } {
  let p = Float64Array.from(start);
  const grad = new Float64Array(P);
  const loss = (q: Float64Array) => {
    let s = 0;
    for (let i = 0; i < terms.length; i++) {
      const r = evaluate(terms[i], q as unknown as EfficiencyParams, grad) - logY[i];
      s += 2 * ROBUST_SCALE ** 2 * (Math.sqrt(1 + (r / ROBUST_SCALE) ** 2) - 1);
    }
    for (let j = 0; j < P; j++) s += shrink * (q[j] - prior[j]) ** 2;
    return s;
  };
  let current = loss(p),
    lambda = 1e-2;
  for (let iter = 0; iter < 200; iter++) {
    const A = new Float64Array(P * P),
      b = new Float64Array(P);
    for (let i = 0; i < terms.length; i++) {
      const r = evaluate(terms[i], p as unknown as EfficiencyParams, grad) - logY[i];
      const w = 1 / Math.sqrt(1 + (r / ROBUST_SCALE) ** 2);
      for (let j = 0; j < P; j++) {
        b[j] -= w * grad[j] * r;
        for (let k = 0; k < P; k++) A[j * P + k] += w * grad[j] * grad[k];
      }
    }
    for (let j = 0; j < P; j++) {
      A[j * P + j] += shrink + lambda * (A[j * P + j] + 1e-9);
      b[j] -= shrink * (p[j] - prior[j]);
    }
    const step = solve(A, b);
    const next = p.map((v, j) => v + Math.max(-2, Math.min(2, step[j])));
    const l = loss(next);
    if (l < current) {
      const done = current - l < 1e-10 * Math.max(1, current);
      p = next;
      current = l;
      lambda = Math.max(1e-6, lambda / 3);
      if (done) break;
    } else {
      lambda *= 4;
      if (lambda > 1e6) break;
    }
  }
  return { loss: current, p: Array.from(p) as unknown as EfficiencyParams };
}

/**
 * Fits the engines' efficiency on training rows: one global fit, then per engine (vendors pooled), per vendor x
 * engine, per accelerator x engine and per accelerator x engine x device count, each shrunk towards the level
 * above it. Groups with fewer than ten runs use the level above.
 */
export function fitPhysicsCalibration(
  matrix: Float32Array,
  rows: readonly number[],
  label: Float64Array,
): PhysicsCalibration {
  const data = rows.map((i) => ({
    t: physicsRow(matrix, i),
    y: Math.log(label[i]),
    vendor: matrix[i * FEATURE_COUNT + F.gpu_vendor_code],
    fw: matrix[i * FEATURE_COUNT + F.framework_code],
    acc: acceleratorKey(matrix, i),
    deployment: deploymentKey(matrix, i),
  }));
  const fit = (subset: typeof data, prior: EfficiencyParams, shrink = SHRINK) =>
    fitEfficiency(
      subset.map((d) => d.t),
      subset.map((d) => d.y),
      prior,
      shrink,
    );
  const global = fit(data, DEFAULT_EFFICIENCY, SHRINK_GLOBAL);
  const groups: Record<string, EfficiencyParams> = {};
  const byKey = (key: (d: (typeof data)[number]) => string) => {
    const m = new Map<string, typeof data>();
    for (const d of data) {
      const k = key(d);
      const list = m.get(k);
      if (list) list.push(d);
      else m.set(k, [d]);
    }
    return m;
  };
  for (const [key, subset] of byKey((d) => calibrationKey(NaN, d.fw)))
    if (subset.length >= MIN_GROUP_RUNS) groups[key] = fit(subset, global);
  for (const [key, subset] of byKey((d) => calibrationKey(d.vendor, d.fw))) {
    const parent = groups[calibrationKey(NaN, subset[0].fw)] ?? global;
    if (subset.length >= MIN_GROUP_RUNS) groups[key] = fit(subset, parent);
  }
  for (const [key, subset] of byKey((d) => d.acc)) {
    const parent =
      groups[calibrationKey(subset[0].vendor, subset[0].fw)] ?? groups[calibrationKey(NaN, subset[0].fw)] ?? global;
    if (subset.length >= MIN_GROUP_RUNS) groups[key] = fit(subset, parent);
  }
  for (const [key, subset] of byKey((d) => d.deployment)) {
    if (subset.length >= MIN_GROUP_RUNS) groups[key] = fit(subset, groups[subset[0].acc] ?? global);
  }
  const accelerators = new Map<string, { vendor: number; bandwidth_tbps: number; tflops: number }>();
  for (const i of rows) {
    const bw = matrix[i * FEATURE_COUNT + F.gpu_memory_bandwidth_tbps],
      tf = matrix[i * FEATURE_COUNT + F.gpu_bf16_tflops];
    accelerators.set(`${bw}|${tf}`, {
      vendor: matrix[i * FEATURE_COUNT + F.gpu_vendor_code],
      bandwidth_tbps: bw,
      tflops: tf,
    });
  }
  return { global, groups, accelerators: [...accelerators.values()] };
}
