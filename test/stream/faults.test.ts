import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../sdk/index.js';
import { createKafka, createKafkaTransport, ensureTopics, runKafkaCostWindows, TOPICS } from '../../stream/index.js';
import { chunkMessages } from '../../stream/kafka/chunks.js';
import { brokerScript, freeBrokerPort } from '../setup/kafka.js';
import { createReader, sameSums, waitFor } from '../helpers/kafka.js';
import { telemetryWorkload, windowSums } from '../helpers/telemetry-workload.js';
import { startProviderStub, type ProviderStub } from '../helpers/provider-stub.js';

// Its own broker, so stopping and restarting it disturbs no other suite.
let PORT = 0;
const broker = (cmd: 'start' | 'kill', fresh = false) => brokerScript(cmd, PORT, fresh);
const kafka = (id: string) => createKafka({ brokers: [`127.0.0.1:${PORT}`], clientId: id });

let stub: ProviderStub;
beforeAll(async () => { PORT = await freeBrokerPort(); stub = await startProviderStub(); }, 180_000);
afterAll(async () => { await stub.close(); brokerScript('wipe', PORT); });

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
  it('broker down at start and mid-stream: calls keep working, telemetry waits in the bounded buffer and is delivered when the broker is back; connected follows the broker, idle too (issue row 6)', async () => {
    broker('kill');
    const tenant = `f-${randomUUID()}`;
    const transport = createKafkaTransport({ kafka: kafka('sdk'), probeMs: 300 });
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
    expect(transport.connected).toBe(true);

    broker('kill');
    // Nothing is being sent: the idle probe notices the outage.
    expect(await waitFor(() => !transport.connected, 15_000)).toBe(true);
    for (let i = 0; i < 5; i++) await ai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
    expect(transport.stats().buffered).toBe(5);
    broker('start');
    expect(await waitFor(() => transport.stats().delivered === 10, 30_000)).toBe(true);
    expect(transport.connected).toBe(true);
    await transport.close();
    expect(await countTelemetry(tenant, 10)).toBe(10);
    expect(client.telemetryStats.dropped).toBe(0);
  }, 180_000);

  it('a bounded buffer drops and counts when the broker stays away', async () => {
    broker('kill');
    const transport = createKafkaTransport({ kafka: kafka('bounded'), capacity: 3 });
    for (let i = 0; i < 10; i++) transport.publish(TOPICS.telemetry, 'x', { i });
    expect(transport.stats()).toMatchObject({ published: 3, dropped: 7, buffered: 3 });
    await transport.close();
    broker('start');
  }, 120_000);

  it('a broker killed while the window job catches up a backlog: every window is published whole once it is back (issue row 2)', async () => {
    const prefix = `bk-${randomUUID().slice(0, 8)}`;
    const wl = telemetryWorkload({ events: 12_000, tenants: 20, prefix, seed: 7 });
    broker('start');
    const admin = kafka('admin').admin();
    await admin.connect();
    await ensureTopics(admin);
    await admin.disconnect();
    const producer = kafka('p').producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const messages = wl.events.map((e) => ({ key: e.deployment_id, value: JSON.stringify(e) }));
    for (const chunk of chunkMessages(messages)) await producer.send({ topic: TOPICS.telemetry, messages: chunk });
    await producer.disconnect();

    const job = runKafkaCostWindows({ kafka: kafka('w'), groupId: `w-${prefix}`, idleTimeoutMs: 1000, commitIntervalMs: 200, giveUpAfterMs: 120_000 });
    expect(await waitFor(() => job.stats().windowsPublished > 0, 30_000)).toBe(true);
    broker('kill');
    await new Promise((r) => setTimeout(r, 10_000));
    broker('start');
    const reader = createReader(kafka('reader'));
    expect(await waitFor(() => sameSums(windowSums(reader.records, prefix).perTenant, wl.truth), 90_000)).toBe(true);
    await job.stop();
    await reader.stop();
    const sums = windowSums(reader.records, prefix);
    expect(sums.perTenant).toEqual(wl.truth);
    expect(sums.decreases).toBe(0);
  }, 180_000);
});
