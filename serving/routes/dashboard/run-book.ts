import type { LaunchPlan } from '../../../stream/index.js';
import type { DeniedRun, PlanSummary, RunView } from './schemas.js';

/** What a pre-flight answered, as far as the dashboard needs it (serving/routes/preflight.ts). */
export interface PreflightAnswer {
  readonly decision: 'allow' | 'deny';
  readonly tenant_id: string;
  readonly run_id?: string;
  readonly predicted_p50_usd: number;
  readonly predicted_p90_usd: number;
  readonly remaining_usd: number;
  readonly model_version: string;
  readonly reason: string;
  readonly reservation?: { readonly id: string; readonly amount_usd: number; readonly expires_at: string };
  readonly alternatives: readonly { readonly plan: LaunchPlan; readonly p50_usd: number; readonly p90_usd: number; readonly change: string }[];
}

type Entry = Omit<RunView, 'status'> & { closed?: 'settled' | 'released' };

const MAX_RUNS = 2_000;
const MAX_DENIED = 500;

export function planSummary(p: LaunchPlan): PlanSummary {
  return {
    kind: p.kind, model: p.model, provider: p.provider ?? null, gpu_type: p.gpu_type ?? null, gpu_count: p.gpu_count ?? null,
    framework: p.framework ?? null, requests: p.requests,
  };
}

/**
 * Runs this server reserved through pre-flight, with the P50/P90 it predicted and, once settled, the actual
 * cost; and the pre-flights it denied with the alternatives it offered. Bounded, newest kept; per replica.
 */
export class RunBook {
  private readonly runs = new Map<string, Entry>();
  private readonly denials: DeniedRun[] = [];

  constructor(private readonly clock: () => number) {}

  preflight(plan: LaunchPlan, a: PreflightAnswer): void {
    const at = new Date(this.clock()).toISOString();
    if (a.decision === 'deny') {
      this.denials.unshift({
        tenant_id: a.tenant_id, run_id: a.run_id ?? null, at, plan: planSummary(plan), predicted_p50_usd: a.predicted_p50_usd,
        predicted_p90_usd: a.predicted_p90_usd, remaining_usd: a.remaining_usd, reason: a.reason,
        alternatives: a.alternatives.map((x) => ({ change: x.change, plan: planSummary(x.plan), p50_usd: x.p50_usd, p90_usd: x.p90_usd })),
      });
      this.denials.length = Math.min(this.denials.length, MAX_DENIED);
      return;
    }
    if (!a.reservation) return;
    this.runs.set(a.reservation.id, {
      run_id: a.run_id ?? null, tenant_id: a.tenant_id, source: 'preflight', plan: planSummary(plan), launched_at: at, ended_at: null,
      predicted_p50_usd: a.predicted_p50_usd, predicted_p90_usd: a.predicted_p90_usd, actual_usd: null, reservation_id: a.reservation.id,
      reserved_usd: a.reservation.amount_usd, expires_at: a.reservation.expires_at, model_version: a.model_version, in_sample: false,
    });
    if (this.runs.size > MAX_RUNS) this.runs.delete(this.runs.keys().next().value!);
  }

  /** The reservation was settled at `costUsd` (the run finished) or released (`undefined`: it was cancelled). */
  closed(tenant: string, reservationId: string, costUsd: number | undefined): void {
    const r = this.runs.get(reservationId);
    if (!r || r.tenant_id !== tenant || r.closed) return;
    r.closed = costUsd === undefined ? 'released' : 'settled';
    r.ended_at = new Date(this.clock()).toISOString();
    r.actual_usd = costUsd ?? null;
  }

  list(allowed: (tenant: string) => boolean): { runs: RunView[]; denied: DeniedRun[] } {
    const now = new Date(this.clock()).toISOString();
    const runs: RunView[] = [];
    for (const { closed, ...r } of this.runs.values()) {
      if (!allowed(r.tenant_id)) continue;
      runs.push({ ...r, status: closed ?? (r.expires_at! <= now ? 'expired' : 'running') });
    }
    return { runs: runs.reverse(), denied: this.denials.filter((d) => allowed(d.tenant_id)) };
  }
}
