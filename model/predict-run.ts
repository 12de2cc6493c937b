import { FEATURE_COUNT, infeasibleReason, type FeatureBuilder } from '../features/index.js';
import type { Catalog } from '../pricing/index.js';
import type { RunRecord } from '../stream/index.js';
import type { PcpoModel } from './pcpo.js';

export type RunPrediction =
  | {
      readonly run_id: string;
      readonly feasible: true;
      readonly quantity: 'gpu_seconds' | 'output_tokens';
      readonly p50: number;
      readonly p90: number;
      readonly p50_usd: number;
      readonly p90_usd: number;
      readonly model_version: string;
    }
  | { readonly run_id: string; readonly feasible: false; readonly reason: string };

/**
 * Predicts a planned run from its record: features from the shared builder (with the tenant history the
 * builder holds), then the model's P50 and P90, priced at the prices in force. A plan that cannot run
 * (prompt plus output beyond the context window) gets the reason instead of a number.
 */
export function predictRun(model: PcpoModel, record: RunRecord, builder: FeatureBuilder, catalog: Catalog): RunPrediction {
  const reason = infeasibleReason(record.plan, catalog);
  if (reason) return { run_id: record.run_id, feasible: false, reason };
  const vec = builder.features(record, new Float32Array(FEATURE_COUNT));
  const c = model.predictCost(vec, 0, { model: record.plan.model });
  if (!c) return { run_id: record.run_id, feasible: false, reason: `the model has no ${record.plan.kind} target, or the catalog lacks what its baseline needs` };
  return { run_id: record.run_id, feasible: true, quantity: c.target, p50: c.p50, p90: c.p90, p50_usd: c.p50_usd, p90_usd: c.p90_usd, model_version: model.version };
}
