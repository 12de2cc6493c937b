import { describe, expect, it } from 'vitest';
import { CostWindowAggregator, createEmbeddedBus, runCostWindows, TOPICS, type CostWindow, type TelemetryEvent } from '../../stream/index.js';

const t = (s: number) => new Date(Date.UTC(2026, 10, 1, 12, 0, 0) + s * 1000).toISOString();
let n = 0;
const ev = (sec: number, cost: number, over: Partial<TelemetryEvent> = {}): TelemetryEvent => ({
  schema_version: 1, event_id: `e${n++}`, event_time: t(sec), tenant_id: 'acme', provider: 'openai', model: 'gpt-4o',
  tokens: { input: 10, output: 5 }, cost_usd_micros: cost, outcome: 'ok', ...over,
});

describe('cost windows', () => {
  it('sums 10-second tumbling windows per tenant and deployment in event time, emitted when the watermark passes', () => {
    const out: CostWindow[] = [];
    const agg = new CostWindowAggregator({ emit: (w) => out.push(w), outOfOrdernessMs: 2000, allowedLatenessMs: 10_000 });
    agg.add(ev(1, 100));
    agg.add(ev(9, 50, { deployment_id: 'dep-1', gpu: { type: 'H100-SXM', count: 2, seconds: 1.5 } }));
    agg.add(ev(11, 7)); // watermark 9 s: window [0, 10) still open
    expect(out).toHaveLength(0);
    agg.add(ev(12, 1)); // watermark 10 s: closes [0, 10)
    expect(out.map((w) => [w.scope, w.key, w.spend_usd_micros, w.calls, w.revision])).toEqual([['tenant', 'acme', 150, 2, 0], ['deployment', 'dep-1', 50, 1, 0]]);
    expect(out[0]).toMatchObject({ window_start: t(0), window_end: t(10), tokens: { input: 20, output: 10 }, gpu_seconds: 3 });
    for (const w of out) expect(w.schema_version).toBe(1);
  });

  it('counts an event id once, and updates a closed window with late events within the allowed lateness', () => {
    const out: CostWindow[] = [];
    const agg = new CostWindowAggregator({ emit: (w) => out.push(w), outOfOrdernessMs: 0, allowedLatenessMs: 10_000 });
    const a = ev(1, 100);
    agg.add(a);
    agg.add(a);
    agg.add(ev(10, 1));
    expect(out[0]).toMatchObject({ spend_usd_micros: 100, calls: 1, revision: 0 });
    agg.add(ev(5, 40)); // late, within lateness
    expect(out[1]).toMatchObject({ window_start: t(0), spend_usd_micros: 140, calls: 2, late_events: 1, revision: 1 });
    agg.add(ev(25, 1)); // watermark 25 s: [0, 10) is past its lateness and forgotten
    agg.add(ev(3, 999)); // too late: counted, not added
    expect(agg.stats()).toMatchObject({ duplicates: 1, late: 1, tooLate: 1 });
    expect(out.filter((w) => w.window_start === t(0)).map((w) => w.spend_usd_micros)).toEqual([100, 140]);
  });

  it('runs the same aggregator on the embedded bus, dead-lettering bad events', async () => {
    const bus = createEmbeddedBus();
    const windows: CostWindow[] = [];
    const dead: unknown[] = [];
    bus.subscribe(TOPICS.costWindows, (w) => { windows.push(w as CostWindow); });
    bus.subscribe(`${TOPICS.telemetry}.dlq`, (d) => { dead.push(d); });
    const agg = runCostWindows(bus, { outOfOrdernessMs: 0 });
    bus.publish(TOPICS.telemetry, 'acme', ev(1, 10));
    bus.publish(TOPICS.telemetry, 'acme', { ...ev(2, 10), cost_usd_micros: -5 });
    bus.publish(TOPICS.telemetry, 'acme', ev(30, 10));
    await bus.flush();
    agg.flush();
    await bus.flush();
    expect(windows.filter((w) => w.scope === 'tenant').map((w) => w.spend_usd_micros)).toEqual([10, 10]);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ topic: 'lut.telemetry', errors: [{ path: '/cost_usd_micros' }] });
  });

  it('holds a tenant\'s watermark at its slowest partition, so a backlog read faster on one partition loses nothing', () => {
    const out: CostWindow[] = [];
    const agg = new CostWindowAggregator({ emit: (w) => out.push(w), outOfOrdernessMs: 0, allowedLatenessMs: 0 });
    agg.add(ev(1, 10, { deployment_id: 'a' }), { partition: 0, offset: 0n });
    agg.add(ev(2, 20, { deployment_id: 'b' }), { partition: 1, offset: 0n });
    // Partition 0's batch runs an hour ahead before partition 1's next batch is read.
    for (let s = 10; s < 3600; s += 10) agg.add(ev(s, 1, { deployment_id: 'a' }), { partition: 0, offset: BigInt(s) });
    agg.add(ev(5, 300, { deployment_id: 'b' }), { partition: 1, offset: 1n });
    expect(agg.stats()).toMatchObject({ late: 0, tooLate: 0 });
    agg.add(ev(3600, 1, { deployment_id: 'b' }), { partition: 1, offset: 2n });
    expect(out.find((w) => w.scope === 'tenant' && w.window_start === t(0))).toMatchObject({ spend_usd_micros: 330, calls: 3, revision: 0 });
  });

  it('closes a quiet source\'s windows after the idle timeout of caught-up time, then lets event time run on', () => {
    const out: CostWindow[] = [];
    const agg = new CostWindowAggregator({ emit: (w) => out.push(w), outOfOrdernessMs: 2000, allowedLatenessMs: 5000, idleTimeoutMs: 1000 });
    agg.add(ev(1, 10), { partition: 0, offset: 0n });
    agg.add(ev(12, 20), { partition: 0, offset: 1n });
    agg.idle(0, 900);
    expect(out.map((w) => w.window_start)).toEqual([t(0)]);
    agg.idle(0, 100);
    expect(out.map((w) => [w.window_start, w.spend_usd_micros])).toEqual([[t(0), 10], [t(10), 20]]);
    agg.add(ev(13, 5), { partition: 0, offset: 2n }); // after the idle close: a late update, revision 1
    expect(out[2]).toMatchObject({ window_start: t(10), spend_usd_micros: 25, revision: 1, late_events: 1 });
    expect(agg.stats().openWindows).toBe(1);
    agg.idle(0, 1000);
    agg.idle(0, 10_000);
    expect(agg.stats().openWindows).toBe(0);
  });
});

