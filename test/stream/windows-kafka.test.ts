import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chunkMessages } from '../../stream/kafka/chunks.js';
import { runKafkaCostWindows, TOPICS, type CostWindow, type DeadLetter, type TelemetryEvent } from '../../stream/index.js';
import { kafka, readTopic, waitFor } from '../helpers/kafka.js';

const BASE = Date.UTC(2026, 10, 1);
const event = (tenant: string, id: string, sec: number, cost: number): TelemetryEvent => ({
  schema_version: 1, event_id: id, event_time: new Date(BASE + sec * 1000).toISOString(), tenant_id: tenant, provider: 'openai', model: 'gpt-4o', cost_usd_micros: cost, outcome: 'ok',
});

async function produce(tenant: string, values: (TelemetryEvent | string)[]) {
  const p = kafka('producer').producer({ idempotent: true, maxInFlightRequests: 1 });
  await p.connect();
  const messages = values.map((v) => ({ key: tenant, value: typeof v === 'string' ? v : JSON.stringify(v) }));
  for (const chunk of chunkMessages(messages)) await p.send({ topic: TOPICS.telemetry, messages: chunk });
  await p.disconnect();
}

/** Every published state of the tenant's windows, in order, by window start. */
async function published(tenant: string, until: (w: Map<string, CostWindow[]>) => boolean) {
  const byStart = (msgs: { key?: string; value: string }[]) => {
    const out = new Map<string, CostWindow[]>();
    for (const m of msgs) {
      if (!m.key?.startsWith(`tenant/${tenant}/`)) continue;
      const w = JSON.parse(m.value) as CostWindow;
      out.set(w.window_start, [...(out.get(w.window_start) ?? []), w]);
    }
    return out;
  };
  return byStart(await readTopic(TOPICS.costWindows, (msgs) => until(byStart(msgs))));
}

describe('the cost-window job on a real broker', () => {
  it('a restarted job never publishes a window with less than it already published (issue row 1)', async () => {
    const tenant = `r1-${randomUUID()}`;
    await produce(tenant, [event(tenant, 'a', 1, 100), event(tenant, 'b', 11, 1), event(tenant, 'c', 9, 200), event(tenant, 'd', 14, 1)]);
    const opts = { kafka: kafka('w'), groupId: `w-${tenant}`, outOfOrdernessMs: 3000, allowedLatenessMs: 0, idleTimeoutMs: 0, commitIntervalMs: 100 };
    const first = runKafkaCostWindows(opts);
    await published(tenant, (w) => w.size >= 1);
    await first.stop();
    const second = runKafkaCostWindows(opts);
    await produce(tenant, [event(tenant, 'e', 40, 5)]);
    const windows = await published(tenant, (w) => w.size >= 2);
    expect(second.stats().rebuilt).toBeGreaterThan(0);
    await second.stop();
    expect(windows.get(new Date(BASE).toISOString())!.map((w) => [w.calls, w.spend_usd_micros])).toEqual([[2, 300]]);
    expect(windows.get(new Date(BASE + 10_000).toISOString())!.map((w) => [w.calls, w.spend_usd_micros])).toEqual([[2, 2]]);
  });

  it('closes a quiet tenant\'s windows after the idle timeout, without a later event from it', async () => {
    const tenant = `idle-${randomUUID()}`;
    await produce(tenant, [event(tenant, 'a', 1, 10), event(tenant, 'b', 12, 20)]);
    const job = runKafkaCostWindows({ kafka: kafka('w'), groupId: `w-${tenant}`, outOfOrdernessMs: 2000, idleTimeoutMs: 1000, commitIntervalMs: 100 });
    const windows = await published(tenant, (w) => w.size >= 2);
    await job.stop();
    // By window start: the idle timeout may close both in one step, published in either order.
    const byStart = [...windows.entries()].sort(([a], [b]) => a.localeCompare(b));
    expect(byStart.map(([, s]) => s[s.length - 1].spend_usd_micros)).toEqual([10, 20]);
  });

  it('dead-letters a 1 MB record and 2,000 bad events of one fetch in size-bounded batches, exactly once, and carries on (issue row 3)', async () => {
    const tenant = `dlq-${randomUUID()}`;
    const huge = `{"tenant_id":"${tenant}","junk":"${'x'.repeat(1_000_000)}"}`;
    const bad = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ ...event(tenant, `bad-${i}`, 2, 1), cost_usd_micros: -1, pad: 'y'.repeat(400) }));
    await produce(tenant, [event(tenant, 'ok-1', 1, 7), huge, ...bad, event(tenant, 'ok-2', 3, 8)]);
    const opts = { kafka: kafka('w'), groupId: `w-${tenant}`, outOfOrdernessMs: 0, idleTimeoutMs: 500, commitIntervalMs: 100 };
    const mine = async () => (await readTopic(`${TOPICS.telemetry}.dlq`, (ms) => ms.filter((m) => m.key === tenant).length >= 2001)).filter((m) => m.key === tenant);
    const job = runKafkaCostWindows(opts);
    expect(await mine()).toHaveLength(2001);
    await job.kill();
    // A restart replays the held window's range: its dead letters are not sent again.
    const again = runKafkaCostWindows(opts);
    const windows = await published(tenant, (w) => w.size >= 1);
    expect([...windows.values()].map((s) => s[s.length - 1].spend_usd_micros)).toEqual([15]);
    expect(await waitFor(() => again.stats().rebuilt > 0 && again.stats().commits > 0, 30_000)).toBe(true);
    await again.stop();
    const dead = await mine();
    expect(dead).toHaveLength(2001);
    const letters = dead.map((m) => JSON.parse(m.value) as DeadLetter);
    const big = letters.find((d) => d.original_truncated)!;
    expect(big).toMatchObject({ original_size: Buffer.byteLength(huge), topic: TOPICS.telemetry, partition: expect.any(Number), offset: expect.any(String) });
    expect(big.original_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(huge.startsWith(Buffer.from(big.original_base64, 'base64').toString())).toBe(true);
    expect(letters.filter((d) => !d.original_truncated).every((d) => /cost_usd_micros/.test(d.reason))).toBe(true);
  });
});
