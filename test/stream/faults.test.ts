import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../sdk/index.js';
import { createKafka, createKafkaTransport, ensureTopics, runKafkaCostWindows, TOPICS, type CostWindow, type TelemetryEvent } from '../../stream/index.js';
import { ROOT } from '../helpers/index.js';
import { waitFor } from '../helpers/kafka.js';
import { startProviderStub, type ProviderStub } from '../helpers/provider-stub.js';

// Its own broker, so stopping and restarting it disturbs no other suite.
const PORT = 19292;
const broker = (cmd: 'start' | 'stop', fresh = false) => execFileSync('bash', [join(ROOT, 'scripts/kafka.sh'), cmd, ...(fresh ? ['--fresh'] : []), String(PORT)], { stdio: 'ignore', timeout: 120_000 });
const kafka = (id: string) => createKafka({ brokers: [`127.0.0.1:${PORT}`], clientId: id });

let stub: ProviderStub;
beforeAll(async () => { stub = await startProviderStub(); }, 180_000);
afterAll(async () => { await stub.close(); broker('stop'); });

async function countTelemetry(tenant: string, expected: number): Promise<number> {
  const consumer = kafka('count').consumer({ groupId: `count-${randomUUID()}` });
  let n = 0;
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.telemetry, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => { if (message.key?.toString() === tenant) n++; } });
  await waitFor(() => n >= expected, 20_000);
  await consumer.disconnect();
  return n;
}

describe('faults on a real broker', () => {
  it('broker down at start and mid-stream: calls keep working, telemetry waits in the bounded buffer and is delivered when the broker is back', async () => {
    broker('stop');
    const tenant = `f-${randomUUID()}`;
    const transport = createKafkaTransport({ kafka: kafka('sdk') });
    const client = new Client({ tenantId: tenant, budgetUsd: 10, transport });
    const ai = client.wrap(new OpenAI({ apiKey: 'sk', baseURL: `${stub.url}/v1`, maxRetries: 0 }));
    for (let i = 0; i < 5; i++) await ai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
    expect(client.accumulatedCostUsd).toBeGreaterThan(0);
    expect(transport.stats()).toMatchObject({ published: 5, delivered: 0, buffered: 5 });

    broker('start', true);
    const admin = kafka('admin').admin();
    await admin.connect();
    await ensureTopics(admin);
    await admin.disconnect();
    expect(await waitFor(() => transport.stats().delivered === 5, 30_000)).toBe(true);

    broker('stop');
    for (let i = 0; i < 5; i++) await ai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
    expect(transport.stats().buffered).toBe(5);
    broker('start');
    expect(await waitFor(() => transport.stats().delivered === 10, 30_000)).toBe(true);
    await transport.close();
    expect(await countTelemetry(tenant, 10)).toBe(10);
    expect(client.telemetryStats.dropped).toBe(0);
  }, 180_000);

  it('a bounded buffer drops and counts when the broker stays away', async () => {
    broker('stop');
    const transport = createKafkaTransport({ kafka: kafka('bounded'), capacity: 3 });
    for (let i = 0; i < 10; i++) transport.publish(TOPICS.telemetry, 'x', { i });
    expect(transport.stats()).toMatchObject({ published: 3, dropped: 7, buffered: 3 });
    await transport.close();
    broker('start');
  }, 120_000);

  it('a cost-window job killed mid-stream resumes from committed offsets without double-counting a window', async () => {
    const tenant = `k-${randomUUID()}`;
    const base = Date.UTC(2026, 10, 1, 0, 0, 0);
    const events: TelemetryEvent[] = Array.from({ length: 300 }, (_, i) => ({
      schema_version: 1, event_id: `${tenant}-${i}`, event_time: new Date(base + i * 200).toISOString(), tenant_id: tenant, provider: 'openai', model: 'gpt-4o', cost_usd_micros: i + 1, outcome: 'ok',
    }));
    const admin = kafka('admin').admin();
    await admin.connect();
    await ensureTopics(admin);
    await admin.disconnect();
    const producer = kafka('p').producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic: TOPICS.telemetry, messages: events.slice(0, 150).map((e) => ({ key: tenant, value: JSON.stringify(e) })) });

    const groupId = `windows-${tenant}`;
    const first = await runKafkaCostWindows({ kafka: kafka('w1'), groupId, outOfOrdernessMs: 0, allowedLatenessMs: 0 });
    await waitFor(() => first.consumer.stats.valid >= 150, 30_000);
    const emittedBefore = new Map<string, number>();
    // Crash: stop without flushing the windows it still holds.
    await first.stop();

    await producer.send({ topic: TOPICS.telemetry, messages: events.slice(150).map((e) => ({ key: tenant, value: JSON.stringify(e) })) });
    await producer.send({ topic: TOPICS.telemetry, messages: [{ key: tenant, value: JSON.stringify({ ...events[0], event_id: `${tenant}-end`, event_time: new Date(base + 3_600_000).toISOString(), cost_usd_micros: 0 }) }] });
    await producer.disconnect();
    const second = await runKafkaCostWindows({ kafka: kafka('w2'), groupId, outOfOrdernessMs: 0, allowedLatenessMs: 0 });
    await waitFor(() => second.consumer.stats.valid > 0 && second.aggregator.stats().openWindows <= 2, 30_000);
    await second.stop();

    const reader = kafka('r').consumer({ groupId: `r-${randomUUID()}` });
    const windows = new Map<string, CostWindow>();
    await reader.connect();
    await reader.subscribe({ topic: TOPICS.costWindows, fromBeginning: true });
    await reader.run({ eachMessage: async ({ message }) => {
      const w = JSON.parse(message.value!.toString()) as CostWindow;
      if (w.scope !== 'tenant' || w.key !== tenant) return;
      const id = w.window_start;
      const prev = windows.get(id);
      if (!prev || w.revision >= prev.revision) windows.set(id, w);
      emittedBefore.set(id, (emittedBefore.get(id) ?? 0) + 1);
    } });
    await waitFor(() => windows.size >= 6, 20_000);
    await reader.disconnect();
    // 300 events, 200 ms apart: six 10-second windows of 50 events each.
    const sums = [...windows.values()].filter((w) => Date.parse(w.window_start) < base + 60_000).sort((a, b) => a.window_start.localeCompare(b.window_start));
    expect(sums.map((w) => w.calls)).toEqual([50, 50, 50, 50, 50, 50]);
    expect(sums.reduce((a, w) => a + w.spend_usd_micros, 0)).toBe((300 * 301) / 2);
  }, 180_000);
});
