import { TARGETS, type PcpoModel, type QuantityPrediction, type TargetDef } from '../../model/index.js';
import type { RunRecord } from '../../stream/index.js';
import { targetRows } from './dataset.js';
import { accuracy, intervalAccuracy, median, type AccuracyMetrics, type IntervalMetrics } from './metrics.js';

export interface KindReport extends IntervalMetrics {
  readonly target: TargetDef['name'];
  readonly baselines: Record<string, AccuracyMetrics & { p90_reserve_ratio?: number | null }>;
  /** Self-hosted: per hardware x framework group, median APE, worst first. */
  readonly groups?: { readonly group: string; readonly rows: number; readonly median_ape: number | null }[];
}

export interface EvalReport {
  readonly rows: number;
  readonly model_version: string;
  readonly by_kind: Partial<Record<'self_hosted' | 'api', KindReport>>;
}

/** The tenant's mean label over its earlier finished runs of the same kind (point-in-time); NaN for its first. */
function tenantHistoryMean(records: readonly RunRecord[], rows: readonly number[], label: Float64Array): number[] {
  const launches = [...rows].sort((a, b) => records[a].launched_at.localeCompare(records[b].launched_at));
  const ends = [...rows].sort((a, b) => records[a].outcome!.ended_at.localeCompare(records[b].outcome!.ended_at));
  const sums = new Map<string, { sum: number; n: number }>();
  const out = new Map<number, number>();
  let next = 0;
  for (const i of launches) {
    // Every run that ended before this one launched joins its tenant's mean first.
    for (; next < ends.length && records[ends[next]].outcome!.ended_at < records[i].launched_at; next++) {
      const j = ends[next];
      const s = sums.get(records[j].tenant_id) ?? { sum: 0, n: 0 };
      s.sum += label[j];
      s.n++;
      sums.set(records[j].tenant_id, s);
    }
    const s = sums.get(records[i].tenant_id);
    out.set(i, s ? s.sum / s.n : NaN);
  }
  return rows.map((i) => out.get(i)!);
}

/**
 * Accuracy of the model on finished runs, next to baselines computed on the same rows: the roofline
 * alone (self-hosted), the worst-case bound a max-tokens reservation holds (API, what LiteLLM reserves),
 * and the tenant-history mean.
 */
export function evaluateModel(model: PcpoModel, records: readonly RunRecord[], matrix: Float32Array, only?: ReadonlySet<number>): EvalReport {
  const byKind: EvalReport['by_kind'] = {};
  let total = 0;
  for (const target of Object.values(TARGETS)) {
    const t = targetRows(records, matrix, target);
    const rows = only ? t.rows.filter((i) => only.has(i)) : t.rows;
    const scored: number[] = [];
    const preds: QuantityPrediction[] = [];
    for (const i of rows) {
      const p = model.predictQuantity(matrix, i);
      if (p) { scored.push(i); preds.push(p); }
    }
    if (!scored.length) continue;
    total += scored.length;
    const actual = scored.map((i) => t.label[i]);
    const report = intervalAccuracy(actual, preds.map((p) => p.p50), preds.map((p) => p.p90));
    const baselines: KindReport['baselines'] = {};
    if (target.name === 'gpu_seconds') {
      baselines.roofline = accuracy(actual, scored.map((i) => t.baseline[i]));
    } else {
      const bound = scored.map((i) => target.cap(matrix, i));
      baselines.worst_case_bound = { ...accuracy(actual, bound), p90_reserve_ratio: median(bound.map((b, k) => b / Math.max(1, actual[k]))) };
    }
    const hist = tenantHistoryMean(records, scored, t.label);
    baselines.tenant_history_mean = accuracy(actual, hist);
    let groups: KindReport['groups'];
    if (target.name === 'gpu_seconds') {
      const g = new Map<string, { a: number[]; p: number[] }>();
      scored.forEach((i, k) => {
        const key = `${records[i].plan.gpu_type} x ${records[i].plan.framework}`;
        const e = g.get(key) ?? { a: [], p: [] };
        e.a.push(actual[k]); e.p.push(preds[k].p50);
        g.set(key, e);
      });
      groups = [...g].map(([group, e]) => ({ group, rows: e.a.length, median_ape: accuracy(e.a, e.p).median_ape })).sort((a, b) => (b.median_ape ?? 0) - (a.median_ape ?? 0));
    }
    byKind[target.kind] = { target: target.name, ...report, baselines, groups };
  }
  return { rows: total, model_version: model.version, by_kind: byKind };
}
