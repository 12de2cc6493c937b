import { requireModel } from '../features/index.js';
import { PRECISION_BITS, type Catalog } from '../pricing/index.js';
import type { LaunchPlan } from '../stream/index.js';
import type { PlanInput, Predictor } from './predictor.js';

export interface Alternative {
  readonly plan: LaunchPlan;
  readonly p50_usd: number;
  readonly p90_usd: number;
  readonly change: string;
}

const COUNTS = [1, 2, 4, 8];

/** Other GPU types and counts that hold the model's weights with 20 % to spare; other API models whose limits fit the plan. */
function candidates(plan: LaunchPlan, catalog: Catalog): { plan: LaunchPlan; change: string }[] {
  if (plan.kind === 'self_hosted') {
    const model = requireModel(plan, catalog);
    const bytes = model.totalParamsB * 1e9 * (PRECISION_BITS[plan.precision ?? model.defaultPrecision] / 8);
    const out: { plan: LaunchPlan; change: string }[] = [];
    for (const gpu of catalog.gpus.entries) {
      if (catalog.gpuPrices.all(gpu.id).length === 0) continue;
      for (const n of COUNTS) {
        if (bytes > 0.8 * n * gpu.memoryGb * 1e9) continue;
        if (gpu.id === catalog.gpus.find(plan.gpu_type ?? '')?.id && n === plan.gpu_count) continue;
        out.push({ plan: { ...plan, gpu_type: gpu.id, gpu_count: n, provider: undefined, region: undefined }, change: `${n} x ${gpu.id}` });
      }
    }
    return out;
  }
  const current = catalog.tokenPrices.find(plan.model)?.id;
  return catalog.tokenPrices.entries
    .filter((p) => p.id !== current && p.maxOutputTokens >= plan.max_output_tokens && p.contextWindow >= plan.prompt_tokens + plan.max_output_tokens && ['openai', 'anthropic', 'gemini'].includes(p.provider))
    .map((p) => ({ plan: { ...plan, provider: p.provider, model: p.id }, change: `${p.provider} ${p.id}` }));
}

/** Up to `n` cheaper configurations the model predicts to fit `remainingUsd` at their P90, cheapest first. */
export function cheaperAlternatives(input: PlanInput, remainingUsd: number, predictor: Predictor, catalog: Catalog, n = 3): Alternative[] {
  const fits: Alternative[] = [];
  for (const c of candidates(input.plan, catalog)) {
    let p;
    try {
      p = predictor.predict({ ...input, plan: c.plan, prices: undefined });
    } catch {
      continue;
    }
    if (p.feasible && p.p90_usd <= remainingUsd) fits.push({ plan: c.plan, p50_usd: p.p50_usd, p90_usd: p.p90_usd, change: c.change });
  }
  return fits.sort((a, b) => a.p90_usd - b.p90_usd).slice(0, n);
}
