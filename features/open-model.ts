import {
  modelSpecFromArch,
  modelSpecFromHfConfig,
  PricingError,
  type Catalog,
  type ModelSpec,
  type Precision,
} from '../pricing/index.js';
import type { LaunchPlan } from '../stream/index.js';

const described = new WeakMap<object, ModelSpec>();

/**
 * The open model a plan runs: its own description when it carries one (`model_arch`, else `hf_config`), which
 * wins over the catalog because it is what the user deploys; else the catalog entry; else undefined (API
 * models, or an open model nobody described). A malformed description throws a PricingError naming its field.
 */
export function resolveModel(plan: LaunchPlan, catalog: Catalog): ModelSpec | undefined {
  const description = plan.model_arch ?? plan.hf_config;
  if (!description) return catalog.models.find(plan.model);
  let spec = described.get(description);
  if (!spec) {
    const base = catalog.models.find(plan.model);
    const precision: Precision = plan.precision ?? base?.defaultPrecision ?? 'bf16';
    spec = plan.model_arch
      ? modelSpecFromArch(plan.model, plan.model_arch, precision)
      : modelSpecFromHfConfig(plan.model, plan.hf_config);
    if (plan.model_arch && plan.model_arch.context_window === undefined && base)
      spec = { ...spec, contextWindow: base.contextWindow };
    described.set(description, spec);
  }
  return spec;
}

/** Like `resolveModel` for a self-hosted plan, but an undescribed unknown model is an error that says how to describe it. */
export function requireModel(plan: LaunchPlan, catalog: Catalog): ModelSpec {
  const spec = resolveModel(plan, catalog);
  if (spec) return spec;
  const closest = catalog.models.closest(plan.model);
  throw new PricingError(
    'UNKNOWN_MODEL',
    `unknown model '${plan.model}' in /plan/model; closest known: ${closest.join(', ')}. Describe it with /plan/model_arch ` +
      '(params_b, layers, hidden_size, kv_heads, head_dim, context_window) or pass its config.json as /plan/hf_config',
    { field: '/plan/model', closest },
  );
}
