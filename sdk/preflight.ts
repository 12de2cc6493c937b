import { createFeatureBuilder, FEATURE_COUNT, infeasibleReason } from '../features/index.js';
import { loadPcpoModel, type PcpoModel } from '../model/index.js';
import type { Catalog } from '../pricing/index.js';
import type { LaunchPlan, LaunchPrices } from '../stream/index.js';
import { SdkConfigError } from './errors.js';
import type { ResolvedOptions } from './options.js';

export interface PreflightPlan {
  readonly plan: LaunchPlan;
  readonly runId?: string;
  readonly launchedAt?: string;
  readonly prices?: LaunchPrices;
}

export interface PreflightResult {
  readonly decision: 'allow' | 'deny';
  readonly reason: string;
  readonly predictedP50Usd: number;
  readonly predictedP90Usd: number;
  readonly remainingUsd: number;
  readonly source: 'server' | 'local';
  readonly modelVersion?: string;
  readonly alternatives?: unknown[];
  /** Set on a deny when the strategy let the run go ahead anyway (WARN_ONLY, or CALLBACK returning true). */
  readonly overridden?: boolean;
}

const localModels = new Map<string, PcpoModel>();

/** Server first (the tenant's budget there decides); else a local model against the client's own remaining budget. */
export async function runPreflight(p: PreflightPlan, ctx: { options: ResolvedOptions; remainingUsd: number; catalog: Catalog }): Promise<PreflightResult> {
  const { options } = ctx;
  if (options.endpoint) {
    const res = await fetch(`${options.endpoint.replace(/\/$/, '')}/preflight`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) },
      body: JSON.stringify({ tenant_id: options.tenantId, plan: p.plan, run_id: p.runId, launched_at: p.launchedAt, prices: p.prices, reserve: false }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    if (!res.ok) throw new Error(`pre-flight at ${options.endpoint} failed (${res.status} ${body.error?.code}): ${body.error?.message}`);
    return { decision: body.decision, reason: body.reason, predictedP50Usd: body.predicted_p50_usd, predictedP90Usd: body.predicted_p90_usd, remainingUsd: body.remaining_usd, source: 'server', modelVersion: body.model_version, alternatives: body.alternatives };
  }
  if (!options.preflightModelDir) throw new SdkConfigError('endpoint', 'preflight needs a Lutflow server (endpoint or LUTFLOW_ENDPOINT) or a local preflightModelDir');
  let model = localModels.get(options.preflightModelDir);
  if (!model) localModels.set(options.preflightModelDir, (model = loadPcpoModel(options.preflightModelDir)));
  const infeasible = infeasibleReason(p.plan, ctx.catalog);
  if (infeasible) return { decision: 'deny', reason: infeasible, predictedP50Usd: NaN, predictedP90Usd: NaN, remainingUsd: ctx.remainingUsd, source: 'local', modelVersion: model.version };
  const vec = createFeatureBuilder({ catalog: ctx.catalog }).features({
    schema_version: 1, run_id: p.runId ?? 'preflight', tenant_id: options.tenantId, launched_at: p.launchedAt ?? new Date().toISOString(), plan: p.plan,
    ...(p.prices ? { context: { prices: p.prices } } : {}),
  }, new Float32Array(FEATURE_COUNT));
  const c = model.predictCost(vec);
  if (!c) throw new SdkConfigError('preflightModelDir', `model ${model.version} has no target for ${p.plan.kind} runs`);
  const fits = c.p90_usd <= ctx.remainingUsd;
  return {
    decision: fits ? 'allow' : 'deny',
    reason: `predicted P90 $${c.p90_usd.toFixed(6)} ${fits ? 'fits' : 'exceeds'} the remaining $${ctx.remainingUsd.toFixed(6)}`,
    predictedP50Usd: c.p50_usd, predictedP90Usd: c.p90_usd, remainingUsd: ctx.remainingUsd, source: 'local', modelVersion: model.version,
  };
}
