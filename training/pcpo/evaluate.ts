import { FEATURE_COUNT, FEATURE_INDEX as F } from '../../features/index.js';
import { TARGETS, type PcpoModel, type QuantityPrediction, type TargetDef } from '../../model/index.js';
import type { Catalog } from '../../pricing/index.js';
import type { RunRecord } from '../../stream/index.js';
import { targetRows } from './dataset.js';
import { conformalOffset, crossValidate, oofPredictions } from './fit.js';
import { accuracy, intervalAccuracy, median, type AccuracyMetrics, type IntervalMetrics } from './metrics.js';
import { leaveOneOut } from './split.js';
import { fitContext, metricsOf, type TrainOptions } from './train.js';
import type { CvMetrics } from '../../model/index.js';

export interface KindReport extends IntervalMetrics {
  readonly target: TargetDef['name'];
  readonly baselines: Record<string, AccuracyMetrics & { p90_reserve_ratio?: number | null }>;
  /** Self-hosted: per hardware x framework group, median APE, worst first. */
  readonly groups?: { readonly group: string; readonly rows: number; readonly median_ape: number | null }[];
  /** Runs on accelerators the model never learned from (answered by its hardware-blind model). */
  readonly unseen_hardware_rows?: number;
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

/** Median APE per GPU x engine, worst first. */
function groupErrors(
  records: readonly RunRecord[],
  rows: readonly number[],
  actual: readonly number[],
  p50: readonly number[],
): NonNullable<KindReport['groups']> {
  const g = new Map<string, { a: number[]; p: number[] }>();
  rows.forEach((i, k) => {
    const key = `${records[i].plan.gpu_type} x ${records[i].plan.framework}`;
    const e = g.get(key) ?? { a: [], p: [] };
    e.a.push(actual[k]);
    e.p.push(p50[k]);
    g.set(key, e);
  });
  return [...g]
    .map(([group, e]) => ({ group, rows: e.a.length, median_ape: accuracy(e.a, e.p).median_ape }))
    .sort((a, b) => (b.median_ape ?? 0) - (a.median_ape ?? 0));
}

/**
 * Accuracy of a trained model on finished runs, next to baselines computed on the same rows: the roofline
 * alone (self-hosted), the worst-case bound a max-tokens reservation holds (API, what LiteLLM reserves),
 * and the tenant-history mean.
 */
export function evaluateModel(
  model: PcpoModel,
  records: readonly RunRecord[],
  matrix: Float32Array,
  only?: ReadonlySet<number>,
): EvalReport {
  const byKind: EvalReport['by_kind'] = {};
  let total = 0;
  for (const target of Object.values(TARGETS)) {
    const t = targetRows(records, matrix, target);
    const rows = only ? t.rows.filter((i) => only.has(i)) : t.rows;
    const scored: number[] = [];
    const preds: QuantityPrediction[] = [];
    for (const i of rows) {
      const p = model.predictQuantity(matrix, i, { model: records[i].plan.model });
      if (p) {
        scored.push(i);
        preds.push(p);
      }
    }
    if (!scored.length) continue;
    total += scored.length;
    const actual = scored.map((i) => t.label[i]);
    const report = intervalAccuracy(
      actual,
      preds.map((p) => p.p50),
      preds.map((p) => p.p90),
    );
    const baselines: KindReport['baselines'] = {};
    if (target.name === 'gpu_seconds') {
      baselines.roofline = accuracy(
        actual,
        scored.map((i) => matrix[i * FEATURE_COUNT + F.roofline_gpu_seconds]),
      );
    } else {
      const bound = scored.map((i) => target.cap(matrix, i));
      baselines.worst_case_bound = {
        ...accuracy(actual, bound),
        p90_reserve_ratio: median(bound.map((b, k) => b / Math.max(1, actual[k]))),
      };
    }
    baselines.tenant_history_mean = accuracy(actual, tenantHistoryMean(records, scored, t.label));
    const unseen = preds.filter((p) => p.unseenHardware).length;
    byKind[target.kind] = {
      target: target.name,
      ...report,
      baselines,
      ...(target.name === 'gpu_seconds'
        ? {
            groups: groupErrors(
              records,
              scored,
              actual,
              preds.map((p) => p.p50),
            ),
            unseen_hardware_rows: unseen,
          }
        : {}),
    };
  }
  return { rows: total, model_version: model.version, by_kind: byKind };
}

export type LeaveOut = 'accelerator' | 'model';

export interface LeaveOneOutReport extends CvMetrics {
  readonly leave_out: LeaveOut;
  /** Which model answers the held-out group: the hardware-blind one for an accelerator, the full one for a model. */
  readonly answered_by: string;
  readonly p90_conformal_offset: number;
  readonly groups: readonly (CvMetrics & { readonly group: string })[];
}

/**
 * Leave-one-accelerator-out or leave-one-model-out on self-hosted runs: for every accelerator (or model) in the
 * data, a model trained on all the others predicts its runs, as a deployed model meets hardware or a model it
 * never saw. The P90 offset is cross-conformal over all held-out groups. Every group is listed, worst first.
 */
export function leaveOneGroupOut(
  records: readonly RunRecord[],
  matrix: Float32Array,
  catalog: Catalog,
  by: LeaveOut,
  opts: Pick<TrainOptions, 'params' | 'rounds' | 'earlyStoppingRounds' | 'seed'> = {},
  log: (l: string) => void = () => {},
): LeaveOneOutReport | undefined {
  const t = targetRows(records, matrix, TARGETS.gpu_seconds);
  const key =
    by === 'accelerator'
      ? (r: RunRecord) => catalog.gpus.find(r.plan.gpu_type ?? '')?.id ?? String(r.plan.gpu_type)
      : (r: RunRecord) => catalog.models.find(r.plan.model)?.id ?? r.plan.model;
  const folds = leaveOneOut(records, t.rows, key);
  if (folds.length < 2) return undefined;
  const ctx = fitContext(opts, records, matrix, t, { mode: 'group', reason: `one ${by} held out at a time` });
  const masked = by === 'accelerator' ? TARGETS.gpu_seconds.hardwareFeatures.map((f) => F[f]) : [];
  const run = { ...ctx, masked };
  log(`leave-one-${by}-out: ${folds.length} ${by}s`);
  const oof = crossValidate(run, folds, log);
  const offset = conformalOffset(oof);
  const p = oofPredictions(run, oof, offset);
  const at = new Map(oof.rows.map((i, k) => [i, k] as const));
  const groups = folds
    .map((f) => {
      const ks = f.test.map((i) => at.get(i)).filter((k): k is number => k !== undefined);
      return {
        group: f.group,
        ...metricsOf(
          ks.map((k) => p.actual[k]),
          ks.map((k) => p.p50[k]),
          ks.map((k) => p.p90[k]),
        ),
      };
    })
    .sort((a, b) => (b.median_ape ?? 0) - (a.median_ape ?? 0));
  return {
    leave_out: by,
    answered_by: by === 'accelerator' ? 'hardware-blind model' : 'full model',
    p90_conformal_offset: offset,
    ...metricsOf(p.actual, p.p50, p.p90),
    groups,
  };
}
