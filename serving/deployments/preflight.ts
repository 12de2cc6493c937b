import { memoryReason } from '../../features/index.js';
import { microsToUsd, usdToMicros, type Catalog } from '../../pricing/index.js';
import type { LaunchPlan, LaunchPrices } from '../../stream/index.js';
import { cheaperAlternatives } from '../alternatives.js';
import { ApiError } from '../errors.js';
import type { PriceOverrides } from '../ledger/index.js';
import type { Predictor } from '../predictor.js';
import { overridePrices, pricesFor } from '../prices.js';
import type { DeploymentSpec } from './types.js';

/** What a deployment is predicted to cost before it starts, and what the budget holds for it. */
export interface DeployPrediction {
  /** workload: the PCPO model predicted the GPU time of the work; duration: max duration × rate; budget: the budget is the bound. */
  readonly basis: 'workload' | 'duration' | 'budget';
  readonly gpu_usd_per_hour: number;
  /** The whole deployment's rate: price × GPU count. */
  readonly usd_per_hour: number;
  readonly micros_per_gpu_hour: number;
  readonly prices: LaunchPrices;
  readonly p50_usd?: number;
  readonly p90_usd?: number;
  readonly model_version?: string;
  /** What the reservation holds: the most the deployment may spend (its budget, or its max duration's cost). */
  readonly hold_usd: number;
  readonly hold_micros: number;
  /** How long the hold lasts at this rate. */
  readonly lasts_s: number;
}

export interface DeployAlternative {
  readonly change: string;
  readonly gpu_type: string;
  readonly gpu_count: number;
  readonly usd_per_hour: number;
  readonly p90_usd?: number;
  /** A smaller budget that fits what remains. */
  readonly budget_usd?: number;
  readonly lasts_s?: number;
}

export type DeployDecision =
  | { readonly allow: true; readonly prediction: DeployPrediction }
  | { readonly allow: false; readonly reason: string; readonly prediction: DeployPrediction; readonly alternatives: DeployAlternative[] };

const COUNTS = [1, 2, 4, 8];
const PLACEHOLDER = { batch_size: 1, requests: 1, prompt_tokens: 1, max_output_tokens: 1 };

export function planOf(spec: DeploymentSpec, over: Partial<LaunchPlan> = {}): LaunchPlan {
  return {
    kind: 'self_hosted', model: spec.model, gpu_type: spec.gpu_type, gpu_count: spec.gpu_count, framework: spec.framework,
    provider: spec.provider, region: spec.region, spot: spec.spot, ...(spec.workload ?? PLACEHOLDER), ...over,
  } as LaunchPlan;
}

const rateMicros = (prices: LaunchPrices) => usdToMicros(prices.gpu_usd_per_hour ?? 0, 'gpu_usd_per_hour');
const lasts = (holdMicros: number, perHourMicros: number) => (perHourMicros > 0 ? Math.floor((holdMicros / perHourMicros) * 3600) : Infinity);

/**
 * The pre-flight of a deployment: the price in force (the tenant's negotiated price, else the catalog's), the hold
 * (its budget, or its max duration's cost when that is less), and, with a workload, the model's P90 for that work.
 * It is refused when the weights do not fit the GPUs, when the workload's P90 exceeds the budget (it would be killed
 * before finishing), or when the hold does not fit what remains of the tenant's budgets; a refusal comes with
 * cheaper configurations that fit.
 */
export function decideDeployment(input: {
  spec: DeploymentSpec; remainingMicros: number; overrides?: PriceOverrides; catalog: Catalog; predictor: Predictor;
}): DeployDecision {
  const { spec, catalog } = input;
  catalog.gpus.get(spec.gpu_type, '/gpu_type');
  const plan = planOf(spec);
  const memory = memoryReason(plan, catalog);
  if (memory) throw new ApiError('INFEASIBLE_PLAN', memory, '/gpu_count');
  const prices = overridePrices(plan, catalog, input.overrides) ?? pricesFor(plan, catalog);
  const perGpu = rateMicros(prices);
  const perHour = perGpu * spec.gpu_count;
  const durationMicros = spec.max_duration_ms === undefined ? undefined : Math.ceil((perHour * spec.max_duration_ms) / 3_600_000);
  const hold = Math.min(spec.budget_micros ?? Infinity, durationMicros ?? Infinity);
  if (hold < 1 && perHour > 0) {
    const field = spec.budget_micros !== undefined && hold === spec.budget_micros ? '/budget_usd' : '/max_duration_s';
    throw new ApiError('INVALID_REQUEST', `the deployment would hold $${microsToUsd(hold).toFixed(6)}: a budget or max duration must be worth at least one micro-dollar of its GPUs`, field);
  }
  const predicted = spec.workload ? input.predictor.predict({ tenant_id: spec.tenant_id, plan, prices }) : undefined;
  if (predicted && !predicted.feasible) throw new ApiError('INFEASIBLE_PLAN', predicted.reason, '/workload');
  const prediction: DeployPrediction = {
    basis: predicted ? 'workload' : spec.budget_micros !== undefined && hold === spec.budget_micros ? 'budget' : 'duration',
    gpu_usd_per_hour: microsToUsd(perGpu), usd_per_hour: microsToUsd(perHour), micros_per_gpu_hour: perGpu, prices,
    ...(predicted?.feasible ? { p50_usd: predicted.p50_usd, p90_usd: predicted.p90_usd, model_version: predicted.model_version } : {}),
    hold_usd: microsToUsd(hold), hold_micros: hold, lasts_s: lasts(hold, perHour),
  };
  const fitMicros = Math.min(input.remainingMicros, spec.budget_micros ?? Infinity);
  let reason: string | undefined;
  if (predicted?.feasible && usdToMicros(predicted.p90_usd) > (spec.budget_micros ?? Infinity)) {
    reason = `the workload's predicted P90 $${predicted.p90_usd.toFixed(6)} exceeds the deployment's budget $${microsToUsd(spec.budget_micros!).toFixed(6)}`;
  } else if (hold > input.remainingMicros || input.remainingMicros <= 0) {
    reason = `the deployment needs $${microsToUsd(hold).toFixed(6)} held, more than the $${microsToUsd(Math.max(0, input.remainingMicros)).toFixed(6)} that remains`;
  }
  if (!reason) return { allow: true, prediction };
  return { allow: false, reason, prediction, alternatives: alternatives(input, spec, perHour, fitMicros) };
}

/**
 * Configurations that fit: with a workload, the model's cheaper GPU choices within the budget; with a max duration,
 * GPU types and counts holding the weights whose duration costs what fits; and a smaller budget that fits what remains.
 */
function alternatives(input: { spec: DeploymentSpec; catalog: Catalog; predictor: Predictor }, spec: DeploymentSpec, perHour: number, fitMicros: number): DeployAlternative[] {
  const { catalog } = input;
  const out: DeployAlternative[] = [];
  if (spec.workload) {
    for (const a of cheaperAlternatives({ tenant_id: spec.tenant_id, plan: planOf(spec) }, microsToUsd(fitMicros), input.predictor, catalog)) {
      const rate = rateMicros(pricesFor(a.plan, catalog)) * (a.plan.gpu_count ?? 1);
      out.push({ change: a.change, gpu_type: a.plan.gpu_type!, gpu_count: a.plan.gpu_count!, usd_per_hour: microsToUsd(rate), p90_usd: a.p90_usd });
    }
    return out;
  }
  if (spec.max_duration_ms !== undefined) {
    const fits: DeployAlternative[] = [];
    for (const gpu of catalog.gpus.entries) {
      if (!catalog.gpuPrices.all(gpu.id).length) continue;
      for (const n of COUNTS) {
        if (gpu.id === catalog.gpus.get(spec.gpu_type).id && n === spec.gpu_count) continue;
        const plan = planOf(spec, { gpu_type: gpu.id, gpu_count: n, provider: undefined, region: undefined });
        if (memoryReason(plan, catalog)) continue;
        const rate = rateMicros(pricesFor(plan, catalog)) * n;
        if (Math.ceil((rate * spec.max_duration_ms) / 3_600_000) > fitMicros) continue;
        fits.push({ change: `${n} x ${gpu.id}`, gpu_type: gpu.id, gpu_count: n, usd_per_hour: microsToUsd(rate) });
        break;
      }
    }
    out.push(...fits.sort((a, b) => a.usd_per_hour - b.usd_per_hour).slice(0, 3));
  }
  if (fitMicros > 0) {
    out.push({
      change: `budget $${microsToUsd(fitMicros).toFixed(2)} (what remains)`, gpu_type: catalog.gpus.get(spec.gpu_type).id, gpu_count: spec.gpu_count,
      usd_per_hour: microsToUsd(perHour), budget_usd: microsToUsd(fitMicros), lasts_s: lasts(fitMicros, perHour),
    });
  }
  return out;
}
