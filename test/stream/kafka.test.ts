import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFeatureBuilder } from '../../features/index.js';
import { Client } from '../../sdk/index.js';
import { consumeContract, createKafkaTransport, runKafkaCostWindows, TOPICS, type CostWindow, type DeadLetter, type RunRecord } from '../../stream/index.js';
import { readRunRecords, runRecordSink } from '../../training/index.js';
import { tempDir } from '../helpers/index.js';
import { kafka, readTopic, waitFor } from '../helpers/kafka.js';
import { startProviderStub, type ProviderStub } from '../helpers/provider-stub.js';
import { apiRun } from '../helpers/records.js';

let stub: ProviderStub;
beforeAll(async () => { stub = await startProviderStub(); });
afterAll(async () => { await stub.close(); });

describe('Kafka transport and contracts on a real broker', () => {
  it('creates the topics with explicit partitions', async () => {
    const admin = kafka().admin();
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: [TOPICS.telemetry, TOPICS.runRecords, TOPICS.costWindows, `${TOPICS.telemetry}.dlq`] });
    await admin.disconnect();
    expect(Object.fromEntries(meta.topics.map((t) => [t.name, t.partitions.length]))).toEqual({ [TOPICS.telemetry]: 6, [TOPICS.runRecords]: 3, [TOPICS.costWindows]: 3, [`${TOPICS.telemetry}.dlq`]: 1 });
  });

  it('sends invalid records to <topic>.dlq with the reason and the original bytes, and carries on', async () => {
    const tenant = `t-${randomUUID()}`;
    const producer = kafka().producer();
    await producer.connect();
    const good = (i: number) => JSON.stringify({ schema_version: 1, event_id: `${tenant}-${i}`, event_time: new Date().toISOString(), tenant_id: tenant, provider: 'openai', model: 'gpt-4o', cost_usd_micros: 10, outcome: 'ok' });
    const bad = ['{"schema_version": 1, "event_id": ', JSON.stringify({ schema_version: 1, event_id: `${tenant}-bad`, tenant_id: tenant })];
    await producer.send({ topic: TOPICS.telemetry, messages: [good(1), bad[0], good(2), bad[1], good(3)].map((value) => ({ key: tenant, value })) });
    await producer.disconnect();
    const seen: string[] = [];
    const c = await consumeContract({ kafka: kafka(), topic: TOPICS.telemetry, groupId: `dlq-${tenant}`, handleBatch: async (ms) => { for (const m of ms) if (m.value.tenant_id === tenant) seen.push(m.value.event_id); } });
    expect(await waitFor(() => seen.length === 3)).toBe(true);
    await c.stop();
    const dead = (await readTopic(`${TOPICS.telemetry}.dlq`, (ms) => ms.filter((m) => m.key === tenant).length >= 2)).filter((m) => m.key === tenant).map((m) => JSON.parse(m.value) as DeadLetter);
    expect(dead).toHaveLength(2);
    expect(Buffer.from(dead[0].original_base64, 'base64').toString()).toBe(bad[0]);
    expect(dead[0].reason).toMatch(/not JSON/);
    expect(dead[1].errors.map((e) => e.path)).toEqual(expect.arrayContaining(['/event_time', '/provider']));
    expect(dead[1]).toMatchObject({ topic: TOPICS.telemetry, partition: expect.any(Number), offset: expect.any(String) });
  });

  it('a burst larger than the buffer: publish drops and says so in stats and the log; publishAsync waits and loses nothing (issue row 6)', async () => {
    const tenant = `burst-${randomUUID()}`;
    const logs: string[] = [];
    const event = (i: number) => ({ schema_version: 1, event_id: `${tenant}-${i}`, event_time: new Date().toISOString(), tenant_id: tenant, provider: 'openai', model: 'gpt-4o', cost_usd_micros: 1, outcome: 'ok' });
    const dropping = createKafkaTransport({ kafka: kafka('burst'), capacity: 1000, log: (level, msg) => logs.push(`${level} ${msg}`) });
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) if (dropping.publish(TOPICS.telemetry, undefined, event(i))) accepted++;
    await dropping.close();
    expect(dropping.stats()).toMatchObject({ published: accepted, dropped: 20_000 - accepted, delivered: accepted });
    expect(accepted).toBeLessThan(20_000);
    expect(logs.some((l) => /^warn Kafka transport buffer full \(1000 messages\): dropping/.test(l))).toBe(true);

    const waiting = createKafkaTransport({ kafka: kafka('burst'), capacity: 1000 });
    for (let i = 0; i < 20_000; i++) expect(await waiting.publishAsync(TOPICS.telemetry, undefined, event(20_000 + i))).toBe(true);
    await waiting.close();
    expect(waiting.stats()).toMatchObject({ published: 20_000, delivered: 20_000, dropped: 0 });
    expect(waiting.stats().waited).toBeGreaterThan(0);
  });

  it('carries SDK telemetry through Kafka into 10-second cost windows', async () => {
    const tenant = `w-${randomUUID()}`;
    const transport = createKafkaTransport({ kafka: kafka('sdk') });
    const client = new Client({ tenantId: tenant, budgetUsd: 10, transport });
    const ai = client.wrap(new OpenAI({ apiKey: 'sk', baseURL: `${stub.url}/v1`, maxRetries: 0 }));
    for (let i = 0; i < 5; i++) await ai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
    await transport.flush();
    expect(transport.stats()).toMatchObject({ published: 5, delivered: 5, dropped: 0 });
    // A later event from the same tenant moves the watermark past the calls' window.
    transport.publish(TOPICS.telemetry, tenant, { schema_version: 1, event_id: `${tenant}-tick`, event_time: new Date(Date.now() + 60_000).toISOString(), tenant_id: tenant, provider: 'openai', model: 'gpt-4o-mini', cost_usd_micros: 0, outcome: 'ok' });
    await transport.close();
    const job = await runKafkaCostWindows({ kafka: kafka('windows'), groupId: `windows-${tenant}`, outOfOrdernessMs: 0 });
    const windows = (await readTopic(TOPICS.costWindows, (ms) => ms.some((m) => m.key?.startsWith(`tenant/${tenant}/`)))).filter((m) => m.key?.startsWith(`tenant/${tenant}/`)).map((m) => JSON.parse(m.value) as CostWindow);
    await job.stop();
    const total = windows.reduce((a, w) => a + w.spend_usd_micros, 0);
    expect(total).toBe(Math.round(client.accumulatedCostUsd * 1e6));
    expect(windows.reduce((a, w) => a + w.calls, 0)).toBe(5);
  });

  it('lands finished runs in the Delta table exactly once per run id, and keeps tenant history current', async () => {
    const tenant = `r-${randomUUID()}`;
    const table = join(tempDir(), 'pcpo_runs');
    const runs: RunRecord[] = Array.from({ length: 6 }, (_, i) => ({ ...apiRun(), run_id: `${tenant}-${i}`, tenant_id: tenant }));
    const unfinished: RunRecord = { ...apiRun(), run_id: `${tenant}-open`, tenant_id: tenant, outcome: undefined };
    const transport = createKafkaTransport({ kafka: kafka('runs') });
    for (const r of [...runs, runs[2], unfinished]) transport.publish(TOPICS.runRecords, r.run_id, r);
    await transport.close();
    const builder = createFeatureBuilder();
    const sink = await runRecordSink({ kafka: kafka('sink'), table, builder, groupId: `sink-${tenant}` });
    expect(await waitFor(() => sink.stats.appended >= 6 && sink.stats.skippedDuplicates >= 1)).toBe(true);
    await sink.stop();
    const mine = (await readRunRecords(table)).records.filter((r) => r.tenant_id === tenant);
    expect(mine.map((r) => r.run_id).sort()).toEqual(runs.map((r) => r.run_id).sort());
    expect(builder.history.snapshot(tenant, Date.parse('2026-10-02T00:00:00Z')).spendMicrosLastDay).toBe(7 * 215_000);
    // A second sink in the same group reads nothing new; one in a new group replays and skips every known run.
    const again = await runRecordSink({ kafka: kafka('sink2'), table, groupId: `sink-${tenant}-replay` });
    await waitFor(() => again.stats.skippedDuplicates >= 7, 15_000);
    await again.stop();
    expect((await readRunRecords(table)).records.filter((r) => r.tenant_id === tenant)).toHaveLength(6);
  });
});
