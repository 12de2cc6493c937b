import type { CostWindow, TelemetryEvent } from '../../stream/index.js';

export interface WorkloadOptions {
  readonly events: number;
  readonly tenants: number;
  readonly seed?: number;
  /** Events this far out of order (ms) are on time; the job must use at least this bound. */
  readonly outOfOrdernessMs?: number;
  /** Late events land this far behind the watermark at most; the job must allow at least this lateness. */
  readonly allowedLatenessMs?: number;
  /** Share of events re-sent verbatim later (same event id), and of events sent late. */
  readonly duplicateRate?: number;
  readonly lateRate?: number;
  readonly prefix?: string;
  /** Event time of the first event (ms); by default so that the last one lands about now. */
  readonly startMs?: number;
}

export interface Workload {
  /** In sending order; duplicates included. */
  readonly events: TelemetryEvent[];
  /** Micro-dollars per tenant over distinct event ids. */
  readonly truth: Map<string, number>;
  readonly duplicates: number;
  readonly late: number;
}

/** A small deterministic generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Telemetry from many tenants, each with two deployments (so one tenant's events spread over partitions),
 * out of order within the bound, with late events inside the allowed lateness and re-sent duplicates.
 * Every distinct event belongs in a window: none is too late for a job run with the same bounds.
 */
export function telemetryWorkload(o: WorkloadOptions): Workload {
  const rand = rng(o.seed ?? 1);
  const ooo = o.outOfOrdernessMs ?? 2000;
  const lateness = o.allowedLatenessMs ?? 30_000;
  const prefix = o.prefix ?? 'wl';
  // Each tenant's clock moves 200 ms per event on average.
  const base = o.startMs ?? Date.now() - Math.ceil((o.events / o.tenants) * 200);
  const clocks = new Array<number>(o.tenants).fill(0);
  const sent: TelemetryEvent[][] = Array.from({ length: o.tenants }, () => []);
  const events: TelemetryEvent[] = [];
  const truth = new Map<string, number>();
  let duplicates = 0, late = 0;
  for (let i = 0; events.length < o.events; i++) {
    const k = Math.floor(rand() * o.tenants);
    const tenant = `${prefix}-t${k}`;
    if (sent[k].length && rand() < (o.duplicateRate ?? 0.01)) {
      events.push(sent[k][Math.floor(rand() * sent[k].length)]);
      duplicates++;
      continue;
    }
    clocks[k] += Math.floor(rand() * 400);
    const isLate = rand() < (o.lateRate ?? 0.01);
    const t = isLate ? clocks[k] - ooo - 1 - Math.floor(rand() * (lateness - 2)) : clocks[k] - Math.floor(rand() * (ooo + 1));
    if (isLate) late++;
    const cost = 1 + Math.floor(rand() * 2_000_000);
    const e: TelemetryEvent = {
      schema_version: 1, event_id: `${prefix}-${i}`, event_time: new Date(base + Math.max(0, t)).toISOString(), tenant_id: tenant,
      deployment_id: `${tenant}-d${Math.floor(rand() * 2)}`, provider: 'openai', model: 'gpt-4o-mini',
      tokens: { input: 100, output: 20 }, cost_usd_micros: cost, outcome: 'ok',
    };
    sent[k].push(e);
    events.push(e);
    truth.set(tenant, (truth.get(tenant) ?? 0) + cost);
  }
  return { events, truth, duplicates, late };
}

/** The latest state of each published window, from cost-window records, keeping only tenant-scope windows under a prefix. */
export function windowSums(records: { key?: string; value: string }[], tenantPrefix: string) {
  const latest = new Map<string, CostWindow>();
  let decreases = 0;
  for (const r of records) {
    if (!r.key?.startsWith(`tenant/${tenantPrefix}`)) continue;
    const w = JSON.parse(r.value) as CostWindow;
    const prev = latest.get(r.key);
    if (prev && (w.revision <= prev.revision || w.spend_usd_micros < prev.spend_usd_micros)) decreases++;
    latest.set(r.key, w);
  }
  const perTenant = new Map<string, number>();
  for (const w of latest.values()) perTenant.set(w.tenant_id, (perTenant.get(w.tenant_id) ?? 0) + w.spend_usd_micros);
  return { perTenant, windows: latest.size, decreases };
}
