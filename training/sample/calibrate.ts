import { buildFeatures, resolveContext, FEATURE_COUNT, FEATURE_INDEX } from '../../features/index.js';
import type { Catalog } from '../../pricing/index.js';
import type { RunRecord } from '../../stream/index.js';

/** log(measured GPU-seconds / roofline) = a + b·log2(batch) + c·log2(GPUs) + N(0, sigma²), per framework. */
export interface EfficiencyFit {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly sigma: number;
  readonly runs: number;
}

function solve3(A: number[][], y: number[]): number[] {
  const M = A.map((row, i) => [...row, y[i]]);
  for (let i = 0; i < 3; i++) {
    let p = i;
    for (let j = i + 1; j < 3; j++) if (Math.abs(M[j][i]) > Math.abs(M[p][i])) p = j;
    [M[i], M[p]] = [M[p], M[i]];
    // A column without variation (one GPU count only) gets coefficient 0.
    if (Math.abs(M[i][i]) < 1e-9) { M[i] = M[i].map((_, c) => (c === i ? 1 : 0)); continue; }
    for (let j = 0; j < 3; j++) {
      if (j === i) continue;
      const f = M[j][i] / M[i][i];
      for (let c = i; c < 4; c++) M[j][c] -= f * M[i][c];
    }
  }
  return M.map((row, i) => row[3] / row[i]);
}

/** Least-squares fit of the efficiency model to measured self-hosted runs (e.g. LLM-Inference-Bench imports). */
export function fitEfficiency(records: readonly RunRecord[], catalog: Catalog): Record<string, EfficiencyFit> {
  const groups = new Map<string, { x1: number; x2: number; y: number }[]>();
  const vec = new Float32Array(FEATURE_COUNT);
  for (const r of records) {
    if (r.plan.kind !== 'self_hosted' || !r.outcome?.gpu_seconds || !r.plan.framework) continue;
    buildFeatures(r, resolveContext(r, catalog), vec);
    const roof = vec[FEATURE_INDEX.roofline_gpu_seconds];
    if (!(roof > 0)) continue;
    const pts = groups.get(r.plan.framework) ?? [];
    pts.push({ x1: Math.log2(r.plan.batch_size), x2: Math.log2(r.plan.gpu_count ?? 1), y: Math.log(r.outcome.gpu_seconds / roof) });
    groups.set(r.plan.framework, pts);
  }
  const out: Record<string, EfficiencyFit> = {};
  for (const [fw, pts] of groups) {
    const A = [[0, 0, 0], [0, 0, 0], [0, 0, 0]], y = [0, 0, 0];
    for (const p of pts) {
      const x = [1, p.x1, p.x2];
      for (let i = 0; i < 3; i++) { y[i] += x[i] * p.y; for (let j = 0; j < 3; j++) A[i][j] += x[i] * x[j]; }
    }
    const [a, b, c] = solve3(A, y);
    const sigma = Math.sqrt(pts.reduce((s, p) => s + (p.y - a - b * p.x1 - c * p.x2) ** 2, 0) / pts.length);
    out[fw] = { a, b, c, sigma, runs: pts.length };
  }
  return out;
}
