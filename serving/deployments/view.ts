import type { DeployPrediction } from './preflight.js';
import type { DeploymentState, ExitInfo, RuntimeName, StopTiming, Strategy, Workload } from './types.js';

/** A deployment as the API, the CLI and the store see it. Money in integer micro-dollars, USD beside it. */
export interface DeploymentView {
  id: string;
  tenant_id: string;
  /** The budget scope its spend is charged to (`acme/deployment:ID`), which counts against the tenant's. */
  scope: string;
  model: string;
  gpu_type: string;
  gpu_count: number;
  runtime: RuntimeName;
  strategy: Strategy;
  framework: string;
  budget_usd: number | null;
  max_duration_s: number | null;
  workload: Workload | null;
  state: DeploymentState;
  /** Why it ended (budget, max_duration, crashed, health_timeout, start_failed, server_shutdown, orphaned) or a person's reason. */
  reason: string | null;
  /** Who stopped it: the meter (`budget`, `max_duration`), a person (`user`), the runtime (`runtime`). */
  stopped_by: 'meter' | 'user' | 'runtime' | 'server' | null;
  message: string | null;
  endpoint: string | null;
  created_at: string;
  started_at: string | null;
  ready_at: string | null;
  ended_at: string | null;
  prediction: DeployPrediction;
  reservation_id: string;
  spent_micros: number;
  spent_usd: number;
  gpu_seconds: number;
  ticks: number;
  /** Metered up to this instant. */
  metered_until: string | null;
  /** The budget was reached under the `warn` strategy (the server runs on). */
  warned: boolean;
  stop: StopTiming | null;
  exit: ExitInfo | null;
  /** The reservation was replaced by the actual cost. */
  settled: { micros: number; usd: number; at: string } | null;
  /** Process group id (local runtime), to find it again after a crash of the server. */
  pgid: number | null;
  /** The namespace of its objects (kubernetes runtime). */
  namespace: string | null;
}

/** predicted vs actual, for `lutflow report`. */
export function reportOf(v: DeploymentView) {
  const p = v.prediction;
  const runMs = v.started_at ? Date.parse(v.ended_at ?? v.metered_until ?? v.started_at) - Date.parse(v.started_at) : 0;
  return {
    id: v.id, tenant_id: v.tenant_id, model: v.model, gpu: `${v.gpu_count} x ${v.gpu_type}`, state: v.state, reason: v.reason,
    predicted: {
      basis: p.basis, usd_per_hour: p.usd_per_hour, hold_usd: p.hold_usd, lasts_s: p.lasts_s,
      ...(p.p50_usd !== undefined ? { p50_usd: p.p50_usd, p90_usd: p.p90_usd } : {}), price_source: p.prices.source, price_as_of: p.prices.as_of ?? null,
    },
    actual: {
      spent_usd: v.spent_usd, spent_micros: v.spent_micros, gpu_seconds: v.gpu_seconds, run_s: runMs / 1000, ticks: v.ticks,
      settled_usd: v.settled?.usd ?? null,
    },
    budget_usd: v.budget_usd,
    /** actual / what the prediction held (1 = all of it). */
    actual_over_hold: p.hold_micros > 0 ? v.spent_micros / p.hold_micros : null,
    actual_over_p90: p.p90_usd ? v.spent_usd / p.p90_usd : null,
    kill: v.stop,
  };
}
