import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS, validate, type CostWindow, type TelemetryEvent } from '../../stream/index.js';
import {
  createTopics, embeddedWindows, lateRecordsDropped, latest, produce, readWindows, startFlinkJob, sums, validCostWindow,
} from './helpers.js';

// One partition: the order every engine reads is the order sent, so lateness is decided the same way each time.
const id = randomUUID().slice(0, 8);
const IN = `flink-sem-in-${id}`;
const OUT = `flink-sem-out-${id}`;
const BASE = Date.UTC(2100, 0, 1);
const at = (sec: number) => new Date(BASE + sec * 1000).toISOString();

const ev = (tenant: string, eid: string, sec: number, cost: number, more: Partial<TelemetryEvent> = {}): TelemetryEvent => ({
  schema_version: 1, event_id: `${tenant}-${eid}`, event_time: at(sec), tenant_id: tenant, deployment_id: `${tenant}-d${eid.length % 2}`,
  provider: 'openai', model: 'gpt-4o-mini', tokens: { input: 100, cached_input: 10, output: 20, reasoning: 5 }, cost_usd_micros: cost, outcome: 'ok', ...more,
});

/** Tenant a: on time, out of order within the bound, a duplicate, late within the allowed lateness, too late. */
const tenantA: TelemetryEvent[] = [
  ev('a', '1', 1, 100),
  ev('a', '2', 5.5, 200, { gpu: { type: 'h100', count: 2, seconds: 0.25 } }),
  ev('a', '2', 5.5, 200, { gpu: { type: 'h100', count: 2, seconds: 0.25 } }), // duplicate
  ev('a', '3', 12.5, 1, { deployment_id: undefined }),
  ev('a', '4', 9, 7), // 3.5 s behind the newest: late (window [0,10) closed at 12 s)
  ev('a', '5', 14, 3_000_000),
  ev('a', '6', 3, 1000, { event_time: '2100-01-01T02:00:03.000+02:00' }), // late, an offset instead of Z
  ev('a', '7', 21, 9),
  ev('a', '8', 21.999, 11), // newest 21.999: [10,20) is not closed on a's clock (20 > 19.999)
  ev('a', '9', 19.999, 13), // so this one is on time
  ev('a', '10', 60, 5, { tokens: { input: 7, cache_write: 3 } }),
  ev('a', '11', 21, 17), // late: [20,30) closed at 32 s
  ev('a', '12', 2, 1), // too late: [0,10) ended 30 s before 58 s
  ev('a', '13', 41, 19), // late-only window [40,50)
  ev('a', '14', 42, 23), // late again
  ev('a', '15', 70.0001, 29),
];

/** Records our validator refuses: neither engine may count them. */
const bad = [
  { ...ev('a', 'bad1', 70, 1), cost_usd_micros: 1.5 },
  { ...ev('a', 'bad2', 70, 1), cost_usd_micros: -1 },
  { ...ev('a', 'bad3', 70, 1), event_time: 'yesterday' },
  { ...ev('a', 'bad4', 70, 1), tokens: { input: 5, cached_input: 9 } },
  { ...ev('a', 'bad5', 70, 1), outcome: 'maybe' },
  { ...ev('a', 'bad6', 70, 1), tenant_id: '' },
  { ...ev('a', 'bad7', 70, 1), schema_version: 2 },
  { ...ev('a', 'bad8', 70, 1), gpu: { type: 'h100', count: 0.5, seconds: 1 } },
  ev('a', 'bad9\u0000', 70, 1),
  { ...ev('a', 'bad10', 70, 1), model: 'gpt\u001f4o' },
] as unknown as TelemetryEvent[];

/** Tenant b's clock runs 60 s behind a's on the same partition: on time for ours (a clock per tenant), not for Flink. */
const tenantB = [ev('b', '1', 10, 500), ev('b', '2', 12, 600), ev('b', '3', 25, 700)];

const events = [...tenantA.slice(0, 13), ...bad, ...tenantA.slice(13)];
/** Pushes Flink's watermark past every window above (a tenant of its own, left out of the comparison). */
const clock = ev('zz-clock', '1', 200, 1);

let windows: Map<string, CostWindow>;
let counts: Map<string, number>;
let jobId: string;
let cancel: () => Promise<void>;

beforeAll(async () => {
  await createTopics(1, IN, OUT);
  await produce(IN, [...events, { raw: '{not json' }, ...tenantB, clock]);
  ({ jobId, cancel } = await startFlinkJob({ jobName: `sem-${id}`, groupId: `sem-${id}`, telemetryTopic: IN, windowsTopic: OUT }));
  const records = await readWindows(OUT, (m) => [`tenant/a/${at(70)}`, `deployment/a-d0/${at(70)}`].every((k) => m.some((r) => r.key === k)), 120_000);
  ({ windows, counts } = latest(records));
}, 180_000);

afterAll(async () => { await cancel?.(); });

describe('the Flink job against our aggregator, one partition (issue points 1 and 4)', () => {
  it("gives tenant a's windows exactly as ours: spend, calls, tokens by kind, GPU-seconds and late events", () => {
    const ours = embeddedWindows([...events, ...tenantB, clock].filter((e) => validate(TOPICS.telemetry, e).ok)).windows;
    const mine = (m: Map<string, CostWindow>) => [...m].filter(([k]) => k.split('/')[1].startsWith('a')).sort(([x], [y]) => x.localeCompare(y));
    expect(mine(windows).map(([k, w]) => [k, { ...sums(w), late_events: w.late_events }]))
      .toEqual(mine(ours).map(([k, w]) => [k, { ...sums(w), late_events: w.late_events }]));
    // What the script above says, so that both cannot be wrong together.
    const a0 = windows.get(`tenant/a/${at(0)}`)!;
    expect([a0.spend_usd_micros, a0.calls, a0.late_events, a0.gpu_seconds]).toEqual([1307, 4, 2, 0.5]);
    expect(windows.get(`tenant/a/${at(10)}`)).toMatchObject({ spend_usd_micros: 3_000_014, calls: 3, late_events: 0 });
    expect(windows.get(`deployment/a-d1/${at(10)}`)).toMatchObject({ spend_usd_micros: 3_000_013, calls: 2 });
    expect(windows.get(`tenant/a/${at(20)}`)).toMatchObject({ spend_usd_micros: 37, calls: 3, late_events: 1 });
    expect(windows.get(`tenant/a/${at(40)}`)).toMatchObject({ spend_usd_micros: 42, calls: 2, late_events: 2 });
    expect(windows.get(`tenant/a/${at(60)}`)!.tokens).toEqual({ input: 7, cached_input: 0, cache_write: 3, output: 0, reasoning: 0 });
  });

  it('the records left out are those our validator refuses', () => {
    expect(bad.map((e) => validate(TOPICS.telemetry, e).ok)).toEqual(bad.map(() => false));
    expect(windows.get(`tenant/a/${at(70)}`)).toMatchObject({ spend_usd_micros: 29, calls: 1 });
  });

  it('emits each window once, complete, as revision 0, in the contract shape and key', () => {
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    for (const [k, w] of windows) {
      expect(validCostWindow(w), JSON.stringify(validCostWindow.errors)).toBe(true);
      expect(k).toBe(`${w.scope}/${w.key}/${w.window_start}`);
      expect(w.revision).toBe(0);
    }
  });

  it("documented difference: a tenant whose clock runs behind the others' loses what is past Flink's one clock", async () => {
    // Ours keeps a clock per tenant: b's events are on time. Flink has one clock (the watermark: newest event time
    // read, 70 s, minus bound + lateness + skew = 42.001 s): b's window [10,20) had closed (19.999 <= 27.999), [20,30) not.
    const ours = embeddedWindows([...events, ...tenantB, clock].filter((e) => validate(TOPICS.telemetry, e).ok)).windows;
    const b = (m: Map<string, CostWindow>) => [...m.values()].filter((w) => w.tenant_id === 'b').map((w) => [w.scope, w.window_start, w.spend_usd_micros]).sort();
    expect(b(ours)).toEqual([['deployment', at(10), 1100], ['deployment', at(20), 700], ['tenant', at(10), 1100], ['tenant', at(20), 700]]);
    expect(b(windows)).toEqual([['deployment', at(20), 700], ['tenant', at(20), 700]]);
    // Flink counts what its window operator dropped: b's two events of [10,20).
    // (The REST API refreshes metrics every few seconds.)
    let dropped = 0;
    for (let i = 0; i < 60 && dropped < 2; i++) {
      dropped = await lateRecordsDropped(jobId);
      if (dropped < 2) await new Promise((r) => setTimeout(r, 500));
    }
    expect(dropped).toBe(2);
  });
});
