import type { Catalog } from '../pricing/index.js';
import type { LaunchPlan } from '../stream/index.js';

/** The context window a plan runs against: the open model's, or the API model's; undefined when unknown. */
export function contextWindowFor(plan: LaunchPlan, catalog: Catalog): { model: string; tokens: number } | undefined {
  if (plan.kind === 'api') {
    const p = catalog.tokenPrices.find(plan.model);
    return p && { model: p.id, tokens: p.contextWindow };
  }
  const m = catalog.models.find(plan.model);
  return m && { model: m.id, tokens: m.contextWindow };
}

/** Why a plan cannot run as asked (prompt plus output beyond the context window), or undefined when it can. */
export function infeasibleReason(plan: LaunchPlan, catalog: Catalog): string | undefined {
  const w = contextWindowFor(plan, catalog);
  const need = plan.prompt_tokens + plan.max_output_tokens;
  if (w && need > w.tokens) return `infeasible: prompt + output = ${need} tokens exceed the context window of ${w.model} (${w.tokens})`;
  return undefined;
}
