import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseState, stateMessages, type PartitionPosition } from '../../stream/kafka/window-state.js';
import { CostWindowAggregator, type CostWindow, type TelemetryEvent } from '../../stream/index.js';

const BASE = Date.UTC(2026, 10, 1);
const OOO = 3000;
const LATENESS = 15_000;

interface Arrival { readonly e: TelemetryEvent; readonly partition: number }

/**
 * Builds arrivals from generated steps: each tenant's clock moves forward; events are out of order within
 * the bound, some are late (but within the allowed lateness), some are re-sent duplicates. Never too late.
 */
function arrivals(steps: { tenant: number; dep: number; dt: number; jitter: number; late: boolean; dup: boolean; cost: number }[]): Arrival[] {
  const max = new Map<number, number>();
  const sent: Arrival[][] = [];
  const out: Arrival[] = [];
  steps.forEach((s, i) => {
    const prev = sent[s.tenant] ?? (sent[s.tenant] = []);
    if (s.dup && prev.length) { out.push(prev[(i * 7) % prev.length]); return; }
    const m = (max.get(s.tenant) ?? 0) + s.dt;
    max.set(s.tenant, m);
    const t = s.late ? m - OOO - 1 - (s.jitter % (LATENESS - 2)) : m - (s.jitter % (OOO + 1));
    const e: TelemetryEvent = {
      schema_version: 1, event_id: `e${i}`, event_time: new Date(BASE + Math.max(0, t)).toISOString(), tenant_id: `t${s.tenant}`,
      deployment_id: `t${s.tenant}-d${s.dep}`, provider: 'openai', model: 'gpt-4o', cost_usd_micros: s.cost, outcome: 'ok',
    };
    // Keyed by deployment: one tenant's events spread over partitions.
    const a = { e, partition: (s.tenant + s.dep) % 3 };
    prev.push(a);
    out.push(a);
  });
  return out;
}

/**
 * The window job's protocol without a broker: commits record the changes in a compacted map (the changelog)
 * and publish the emitted windows; a crash loses everything since the last commit; a restart restores the
 * state, replays each partition from its recorded `from`, and rebuilds ids up to `processed`.
 */
function runWithCrashes(input: Arrival[], crashes: Set<number>, commitEvery: number) {
  const offsets = new Map<number, Arrival[]>();
  const positioned = input.map((a) => {
    const log = offsets.get(a.partition) ?? [];
    offsets.set(a.partition, log);
    log.push(a);
    return { ...a, offset: BigInt(log.length - 1) };
  });
  const changelog = new Map<string, Buffer>();
  const published = new Map<string, CostWindow[]>();
  let crashed = 0;
  for (;;) {
    const recorded = parseState(changelog);
    const pending: CostWindow[] = [];
    const agg = new CostWindowAggregator({ outOfOrdernessMs: OOO, allowedLatenessMs: LATENESS, emit: (w) => pending.push(w) });
    agg.restore(recorded);
    const processed = new Map([...recorded.positions].map(([p, pos]) => [p, pos.processed]));
    const commit = () => {
      const positions = new Map<number, PartitionPosition>();
      const held = agg.heldPositions();
      for (const [p, last] of processed) positions.set(p, { from: held.get(p) ?? last + 1n, processed: last });
      for (const m of stateMessages(agg.takeChanges(), positions, { windowsPublished: 0, deadLetters: 0 })) {
        if (m.value === null) changelog.delete(String(m.key));
        else changelog.set(String(m.key), m.value as Buffer);
      }
      for (const w of pending.splice(0)) {
        const k = `${w.scope}/${w.key}/${w.window_start}`;
        published.set(k, [...(published.get(k) ?? []), w]);
      }
    };
    let n = 0, crash = false;
    for (const a of positioned) {
      const from = recorded.positions.get(a.partition)?.from ?? 0n;
      if (a.offset < from) continue;
      if (a.offset <= (processed.get(a.partition) ?? -1n)) { agg.rebuild(a.e); continue; }
      agg.add(a.e, { partition: a.partition, offset: a.offset });
      processed.set(a.partition, a.offset);
      if (++n % commitEvery === 0) commit();
      if (crashes.has(n + crashed * 100_000)) { crash = true; break; }
    }
    if (crash) { crashed++; continue; }
    agg.flush();
    commit();
    return { published, tooLate: agg.stats().tooLate };
  }
}

const step = fc.record({
  tenant: fc.integer({ min: 0, max: 4 }), dep: fc.integer({ min: 0, max: 1 }), dt: fc.integer({ min: 0, max: 2500 }),
  jitter: fc.nat(), late: fc.integer({ min: 0, max: 9 }).map((d) => d < 3), dup: fc.integer({ min: 0, max: 9 }).map((d) => d === 0),
  cost: fc.integer({ min: 1, max: 1_000_000 }),
});

describe('cost windows across restarts (the job protocol, without a broker)', () => {
  it('the issue repro: a restart after the window closed does not re-emit it with part of its events', () => {
    const t = (s: number, cost: number, id: string): Arrival => ({ e: { schema_version: 1, event_id: id, event_time: new Date(BASE + s * 1000).toISOString(), tenant_id: 'acme', provider: 'openai', model: 'gpt-4o', cost_usd_micros: cost, outcome: 'ok' }, partition: 0 });
    const input = [t(1, 100, 'a'), t(11, 0, 'b'), t(9, 200, 'c'), t(14, 0, 'd')];
    const agg = (crashAt: Set<number>) => runWithCrashes(input, crashAt, 1).published.get(`tenant/acme/${new Date(BASE).toISOString()}`)!.map((w) => [w.calls, w.spend_usd_micros]);
    expect(agg(new Set())).toEqual([[2, 300]]);
    for (const at of [1, 2, 3, 4]) expect(agg(new Set([at]))).toEqual([[2, 300]]);
  });

  it('keeps its counters across restarts: replayed events are not counted again as too late (issue row 6)', () => {
    const t = (s: number, id: string): Arrival => ({ e: { schema_version: 1, event_id: id, event_time: new Date(BASE + s * 1000).toISOString(), tenant_id: 'acme', provider: 'openai', model: 'gpt-4o', cost_usd_micros: 1, outcome: 'ok' }, partition: 0 });
    // 50 s is far past the window of the event at 1 s and its lateness: too late, twice.
    const input = [t(1, 'a'), t(12, 'b'), t(50, 'c'), t(2, 'late-1'), t(3, 'late-2'), t(51, 'd')];
    const plain = runWithCrashes(input, new Set(), 1).tooLate;
    expect(plain).toBe(2);
    for (const at of [4, 5, 6]) expect(runWithCrashes(input, new Set([at]), 1).tooLate).toBe(plain);
  });

  it('every window is published whole and never with less than before, whatever the crash points', () => {
    fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 300 }), fc.array(fc.integer({ min: 1, max: 300 }), { maxLength: 4 }), fc.integer({ min: 1, max: 25 }), (steps, crashAt, commitEvery) => {
      const input = arrivals(steps);
      const truth = new Map<string, number>();
      const seen = new Set<string>();
      for (const { e } of input) {
        if (seen.has(e.event_id)) continue;
        seen.add(e.event_id);
        const start = new Date(Math.floor(Date.parse(e.event_time) / 10_000) * 10_000).toISOString();
        truth.set(`tenant/${e.tenant_id}/${start}`, (truth.get(`tenant/${e.tenant_id}/${start}`) ?? 0) + e.cost_usd_micros);
      }
      const crashes = new Set(crashAt.map((c, i) => c + i * 100_000));
      const { published, tooLate } = runWithCrashes(input, crashes, commitEvery);
      expect(tooLate).toBe(0);
      for (const [key, states] of published) {
        for (let i = 1; i < states.length; i++) {
          expect(states[i].spend_usd_micros, key).toBeGreaterThanOrEqual(states[i - 1].spend_usd_micros);
          expect(states[i].revision, key).toBeGreaterThan(states[i - 1].revision);
        }
      }
      const final = new Map([...published].filter(([k]) => k.startsWith('tenant/')).map(([k, s]) => [k, s[s.length - 1].spend_usd_micros]));
      expect(final).toEqual(truth);
    }), { numRuns: 300 });
  });
});
