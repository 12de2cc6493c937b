import { FEATURE_COUNT, infeasibleReason, memoryReason, requireModel, type FeatureBuilder } from '../features/index.js';
import type { Catalog } from '../pricing/index.js';
import type { LaunchPlan, LaunchPrices, RunRecord } from '../stream/index.js';
import { ApiError } from './errors.js';
import type { ModelRegistry } from './model-registry.js';
import { pricesFor } from './prices.js';

export interface PlanInput {
  readonly tenant_id: string;
  readonly run_id?: string;
  readonly launched_at?: string;
  readonly plan: LaunchPlan;
  readonly prices?: LaunchPrices;
}

export type PlanPrediction =
  | {
      readonly feasible: true;
      readonly tenant_id: string;
      readonly run_id?: string;
      readonly quantity: 'gpu_seconds' | 'output_tokens';
      readonly p50: number;
      readonly p90: number;
      readonly p50_usd: number;
      readonly p90_usd: number;
      readonly prices: LaunchPrices;
      readonly model_version: string;
      /** The plan's accelerator is not one the model learned from: the P90 is widened, the P50 is a guess. */
      readonly unseen_hardware?: boolean;
    }
  | { readonly feasible: false; readonly tenant_id: string; readonly run_id?: string; readonly reason: string };

export interface Predictor {
  predict(input: PlanInput): PlanPrediction;
}

/** Plans to P50/P90 cost with the model being served, features from the shared builder and the tenant's history. */
export function createPredictor(deps: { registry: ModelRegistry; builder: FeatureBuilder; catalog: Catalog; clock: () => number; onPrediction?: (quantity: string, outcome: string) => void }): Predictor {
  const vec = new Float32Array(FEATURE_COUNT);
  return {
    predict(input) {
      const { plan } = input;
      if (plan.kind === 'self_hosted') {
        if (plan.gpu_type === undefined || plan.gpu_count === undefined) throw new ApiError('INVALID_REQUEST', 'a self_hosted plan needs gpu_type and gpu_count', plan.gpu_type === undefined ? '/plan/gpu_type' : '/plan/gpu_count');
        requireModel(plan, deps.catalog);
      }
      if (plan.batch_size > plan.requests) throw new ApiError('INVALID_REQUEST', `batch_size (${plan.batch_size}) must not exceed requests (${plan.requests})`, '/plan/batch_size');
      const reason = infeasibleReason(plan, deps.catalog) ?? memoryReason(plan, deps.catalog);
      if (reason) {
        deps.onPrediction?.(plan.kind === 'api' ? 'output_tokens' : 'gpu_seconds', 'infeasible');
        return { feasible: false, tenant_id: input.tenant_id, run_id: input.run_id, reason };
      }
      const model = deps.registry.model;
      if (!model) throw new ApiError('MODEL_UNAVAILABLE', 'no model is loaded; train one (lutflow train) or fix the model directory and POST /models/reload');
      const prices = pricesFor(plan, deps.catalog, input.prices);
      const record: RunRecord = {
        schema_version: 1, run_id: input.run_id ?? 'plan', tenant_id: input.tenant_id,
        launched_at: input.launched_at ?? new Date(deps.clock()).toISOString(), plan, context: { prices },
      };
      // The model name lets an API run's output prior match even when the prices in the vector changed.
      const c = model.predictCost(deps.builder.features(record, vec), 0, { model: plan.model });
      if (!c) throw new ApiError('MODEL_UNAVAILABLE', `model ${model.version} has no ${plan.kind} target`);
      deps.onPrediction?.(c.target, 'ok');
      // One object shape for every answer (no spread of optional fields): V8 keeps it fast, and so is serialising it.
      return {
        feasible: true, tenant_id: input.tenant_id, run_id: input.run_id, quantity: c.target, p50: c.p50, p90: c.p90, p50_usd: c.p50_usd, p90_usd: c.p90_usd,
        prices, model_version: model.version, unseen_hardware: c.unseenHardware ? true : undefined,
      };
    },
  };
}
