import type { TelemetryEvent } from '../../stream/index.js';
import { rng } from '../helpers/telemetry-workload.js';

export interface SharedClockOptions {
  readonly events: number;
  readonly tenants: number;
  readonly prefix: string;
  readonly seed?: number;
  /** Event time of the first event (ms). */
  readonly startMs: number;
  readonly outOfOrdernessMs?: number;
  readonly allowedLatenessMs?: number;
  readonly duplicateRate?: number;
  readonly lateRate?: number;
  /** The shared clock moves up to this much between two events (default 40 ms). */
  readonly maxStepMs?: number;
}

/**
 * Telemetry as it arrives from a fleet: tenants share one clock (each event is stamped near "now"), out of order
 * within the bound, some late (10 s to the allowed lateness less 1 s behind now), some re-sent verbatim; tokens by
 * kind, GPU time in quarter seconds (sums exact in floating point), some events without a deployment. Every
 * distinct event belongs in a window for every engine run with the same bounds.
 */
export function sharedClockWorkload(o: SharedClockOptions) {
  const rand = rng(o.seed ?? 1);
  const ooo = o.outOfOrdernessMs ?? 2_000;
  const lateness = o.allowedLatenessMs ?? 30_000;
  const sent: TelemetryEvent[] = [];
  const events: TelemetryEvent[] = [];
  const truth = new Map<string, number>();
  let now = o.startMs;
  let duplicates = 0, late = 0;
  for (let i = 0; events.length < o.events; i++) {
    if (sent.length && rand() < (o.duplicateRate ?? 0.02)) {
      events.push(sent[Math.floor(rand() * sent.length)]);
      duplicates++;
      continue;
    }
    now += Math.floor(rand() * (o.maxStepMs ?? 40));
    const isLate = rand() < (o.lateRate ?? 0.02);
    if (isLate) late++;
    const t = isLate ? now - ooo - 10_000 - Math.floor(rand() * (lateness - ooo - 11_000)) : now - Math.floor(rand() * (ooo + 1));
    const tenant = `${o.prefix}-t${Math.floor(rand() * o.tenants)}`;
    const cost = 1 + Math.floor(rand() * 5_000_000);
    const gpu = rand() < 0.3 ? { type: 'h100-80gb', count: 1 + Math.floor(rand() * 8), seconds: Math.floor(rand() * 40) / 4 } : undefined;
    const e: TelemetryEvent = {
      schema_version: 1, event_id: `${o.prefix}-${i}`, event_time: new Date(t).toISOString(), tenant_id: tenant,
      deployment_id: rand() < 0.1 ? undefined : `${tenant}-d${Math.floor(rand() * 2)}`, provider: gpu ? 'self_hosted' : 'openai',
      model: 'gpt-4o-mini', tokens: { input: 1 + Math.floor(rand() * 4000), cached_input: Math.floor(rand() * 2), output: Math.floor(rand() * 900), reasoning: 0 },
      ...(gpu ? { gpu } : {}), cost_usd_micros: cost, outcome: 'ok',
    };
    sent.push(e);
    events.push(e);
    truth.set(tenant, (truth.get(tenant) ?? 0) + cost);
  }
  return { events, truth, duplicates, late, endMs: now };
}
