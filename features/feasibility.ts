import { PRECISION_BITS, type Catalog } from '../pricing/index.js';
import { resolveModel } from './open-model.js';
import type { LaunchPlan } from '../stream/index.js';

/** The context window a plan runs against: the open model's, or the API model's; undefined when unknown. */
export function contextWindowFor(plan: LaunchPlan, catalog: Catalog): { model: string; tokens: number } | undefined {
  if (plan.kind === 'api') {
    const p = catalog.tokenPrices.find(plan.model);
    return p && { model: p.id, tokens: p.contextWindow };
  }
  const m = resolveModel(plan, catalog);
  return m && { model: m.id, tokens: m.contextWindow };
}

/**
 * Why a self-hosted plan's weights cannot be held by its GPUs, or undefined when they can. A planning check:
 * importers of measured runs do not apply it (a run that happened used some precision the table may not name).
 */
export function memoryReason(plan: LaunchPlan, catalog: Catalog): string | undefined {
  if (plan.kind !== 'self_hosted' || plan.gpu_type === undefined) return undefined;
  const model = resolveModel(plan, catalog);
  const gpu = catalog.gpus.find(plan.gpu_type);
  if (!model || !gpu) return undefined;
  const precision = plan.precision ?? model.defaultPrecision;
  const weightsGb = (model.totalParamsB * PRECISION_BITS[precision]) / 8;
  const count = plan.gpu_count ?? 1;
  const memoryGb = count * gpu.memoryGb;
  if (weightsGb <= memoryGb) return undefined;
  return `infeasible: the weights of ${model.id} take ${weightsGb.toFixed(1)} GB at ${precision}, more than ${count} x ${gpu.id} hold`
    + ` (${memoryGb} GB); use more or larger GPUs, or a lower precision`;
}

/** Why a plan cannot run as asked (prompt plus output beyond the context window), or undefined when it can. */
export function infeasibleReason(plan: LaunchPlan, catalog: Catalog): string | undefined {
  const w = contextWindowFor(plan, catalog);
  const need = plan.prompt_tokens + plan.max_output_tokens;
  if (w && need > w.tokens) return `infeasible: prompt + output = ${need} tokens exceed the context window of ${w.model} (${w.tokens})`;
  return undefined;
}
