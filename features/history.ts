import type { RunRecord } from '../stream/index.js';

/** What a run's features know of its tenant's past at launch. */
export interface HistorySnapshot {
  /** Mean output / (requests x max output) over the last finished runs; NaN when there are none. */
  readonly outputRatioRecent: number;
  /** Mean output tokens per request over the last finished runs; NaN when there are none. */
  readonly outputPerRequestRecent: number;
  /** Finished runs with an output count in the window, up to RECENT_RUNS. */
  readonly runsObserved: number;
  readonly spendMicrosLastDay: number;
}

export const EMPTY_HISTORY: HistorySnapshot = { outputRatioRecent: NaN, outputPerRequestRecent: NaN, runsObserved: 0, spendMicrosLastDay: 0 };

export const RECENT_RUNS = 20;
const DAY_MS = 86_400_000;

class TenantState {
  readonly ratios = new Float64Array(RECENT_RUNS);
  readonly perRequest = new Float64Array(RECENT_RUNS);
  ratioCount = 0;
  ratioNext = 0;
  /** Finished runs' end times and costs, in the order observed (event time during replay). */
  readonly ends: number[] = [];
  readonly costs: number[] = [];
  head = 0;
  spendInWindow = 0;
}

/**
 * Per-tenant history that the stateful builder keeps current. Observations must arrive in event-time
 * order (replay sorts them; live consumers apply outcomes as they finish), so the 24-hour spend is a
 * sliding window with a running sum, and a snapshot costs O(expired entries).
 */
export class TenantHistory {
  private readonly tenants = new Map<string, TenantState>();

  observe(tenantId: string, endedAtMs: number, outputRatio: number | undefined, costMicros: number, outputPerRequest = NaN): void {
    let s = this.tenants.get(tenantId);
    if (!s) this.tenants.set(tenantId, (s = new TenantState()));
    if (outputRatio !== undefined && Number.isFinite(outputRatio)) {
      s.ratios[s.ratioNext] = outputRatio;
      s.perRequest[s.ratioNext] = outputPerRequest;
      s.ratioNext = (s.ratioNext + 1) % RECENT_RUNS;
      if (s.ratioCount < RECENT_RUNS) s.ratioCount++;
    }
    s.ends.push(endedAtMs);
    s.costs.push(costMicros);
    s.spendInWindow += costMicros;
  }

  /** Observes a finished run record (its spend; for API runs also its output); records without an outcome are ignored. */
  observeRun(r: RunRecord): void {
    const o = r.outcome;
    if (!o) return;
    // Output habits are an API tenant's: a self-hosted run's output is set by its plan, not by the answers.
    const ratio = o.output_tokens === undefined || r.plan.kind !== 'api' ? undefined : o.output_tokens / (r.plan.requests * r.plan.max_output_tokens);
    this.observe(r.tenant_id, Date.parse(o.ended_at), ratio, o.cost_usd_micros, o.output_tokens === undefined ? NaN : o.output_tokens / r.plan.requests);
  }

  snapshot(tenantId: string, atMs: number): HistorySnapshot {
    const s = this.tenants.get(tenantId);
    if (!s) return EMPTY_HISTORY;
    while (s.head < s.ends.length && s.ends[s.head] <= atMs - DAY_MS) {
      s.spendInWindow -= s.costs[s.head];
      s.head++;
    }
    if (s.head > 1024 && s.head * 2 > s.ends.length) {
      s.ends.splice(0, s.head);
      s.costs.splice(0, s.head);
      s.head = 0;
    }
    let sum = 0, perRequest = 0, withCounts = 0;
    for (let i = 0; i < s.ratioCount; i++) {
      sum += s.ratios[i];
      if (Number.isFinite(s.perRequest[i])) { perRequest += s.perRequest[i]; withCounts++; }
    }
    return {
      outputRatioRecent: s.ratioCount ? sum / s.ratioCount : NaN,
      outputPerRequestRecent: withCounts ? perRequest / withCounts : NaN,
      runsObserved: s.ratioCount,
      spendMicrosLastDay: s.spendInWindow,
    };
  }

  get tenantCount(): number {
    return this.tenants.size;
  }

  tenantIds(): string[] {
    return [...this.tenants.keys()];
  }
}
