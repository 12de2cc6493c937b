import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import { createFeatureBuilder, FEATURE_COUNT } from '../../features/index.js';
import { builtinCatalog } from '../../pricing/index.js';
import { Client } from '../../sdk/index.js';
import { consumeContract, createEmbeddedBus, createKafka, createKafkaTransport, ensureTopics, runKafkaCostWindows, TOPICS, validate, type TelemetryEvent, type Transport } from '../../stream/index.js';
import { startProviderStub } from '../../test/helpers/provider-stub.js';
import { quantile } from '../runner.js';
import { generateSample } from '../../training/index.js';

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

/**
 * On a real broker (KAFKA_BROKERS, or one started here from scripts/kafka.sh): produce throughput of
 * telemetry against the embedded bus; consumer throughput through validation and the feature builder
 * against the same work in memory; and latency from a priced SDK call to its event reaching the
 * cost-window job, and from a window's end to its emission.
 */
export async function run(): Promise<void> {
  const port = 19392;
  let brokers = process.env.KAFKA_BROKERS;
  const root = resolve(import.meta.dirname, '../../..');
  if (!brokers) {
    execFileSync('bash', [join(root, 'scripts/kafka.sh'), 'start', '--fresh', String(port)], { stdio: 'inherit' });
    brokers = `127.0.0.1:${port}`;
  }
  const kafka = (id: string) => createKafka({ brokers: brokers!.split(','), clientId: id });
  try {
    const admin = kafka('admin').admin();
    await admin.connect();
    await ensureTopics(admin);
    await admin.disconnect();

    const N = 200_000;
    const tenant = `bench-${randomUUID()}`;
    const events: TelemetryEvent[] = Array.from({ length: N }, (_, i) => ({ schema_version: 1, event_id: `${tenant}-${i}`, event_time: new Date(Date.UTC(2026, 10, 1) + i).toISOString(), tenant_id: `${tenant}-${i % 50}`, provider: 'openai', model: 'gpt-4o-mini', tokens: { input: 100, output: 50 }, cost_usd_micros: 45, latency_ms: 300, outcome: 'ok' }));
    const bus = createEmbeddedBus({ capacity: N });
    bus.subscribe(TOPICS.telemetry, () => {});
    let t = performance.now();
    for (const e of events) bus.publish(TOPICS.telemetry, e.tenant_id, e);
    await bus.flush();
    const busRate = N / ((performance.now() - t) / 1000);
    const transport = createKafkaTransport({ kafka: kafka('producer'), capacity: N });
    transport.publish(TOPICS.telemetry, 'warm', events[0]);
    await transport.flush();
    t = performance.now();
    for (const e of events) transport.publish(TOPICS.telemetry, e.tenant_id, e);
    await transport.flush(120_000);
    const kafkaRate = N / ((performance.now() - t) / 1000);
    const st = transport.stats();
    await transport.close();
    console.log(`\n## stream: produce ${fmt(N)} telemetry events from one process`);
    console.log('| transport | events/s | vs embedded bus |\n|---|---:|---:|');
    console.log(`| embedded bus (publish + deliver in process) | ${fmt(busRate)} | 1.000 |`);
    console.log(`| Kafka (kafkajs, idempotent, snappy, batches up to 5,000 / 512 KiB) | ${fmt(kafkaRate)} | ${(kafkaRate / busRate).toFixed(3)} |`);
    console.log(`delivered ${fmt(st.delivered - 1)}, dropped ${st.dropped}`);

    const catalog = builtinCatalog();
    const runs = generateSample({ catalog, seed: 2, runs: 20_000 }).records.map((r) => ({ ...r, run_id: `${tenant}-${r.run_id}` }));
    const out = new Float32Array(FEATURE_COUNT);
    const mem = createFeatureBuilder({ catalog });
    t = performance.now();
    for (const r of runs) { const v = validate('lut.pcpo-features', JSON.parse(JSON.stringify(r))); if (v.ok) mem.features(v.value, out); }
    const memRate = runs.length / ((performance.now() - t) / 1000);
    const p = kafka('runs').producer({ idempotent: true, maxInFlightRequests: 1 });
    await p.connect();
    for (let i = 0; i < runs.length; i += 500) await p.send({ topic: TOPICS.runRecords, messages: runs.slice(i, i + 500).map((r) => ({ key: r.run_id, value: JSON.stringify(r) })) });
    await p.disconnect();
    const builder = createFeatureBuilder({ catalog });
    let seen = 0, first = 0, last = 0;
    const c = await consumeContract({ kafka: kafka('consumer'), topic: TOPICS.runRecords, groupId: `bench-${tenant}`, handleBatch: async (ms) => {
      if (!first) first = performance.now();
      for (const m of ms) { builder.features(m.value, out); if (m.value.run_id.startsWith(tenant)) seen++; }
      last = performance.now();
    } });
    while (seen < runs.length) await new Promise((r) => setTimeout(r, 50));
    await c.stop();
    const consumeRate = runs.length / ((last - first) / 1000);
    console.log(`\n## stream: consume ${fmt(runs.length)} run records through validation and the feature builder`);
    console.log('| path | records/s | vs in memory |\n|---|---:|---:|');
    console.log(`| in memory (JSON parse, validate, build) | ${fmt(memRate)} | 1.000 |`);
    console.log(`| Kafka consumer group (fetch, decode, validate, build) | ${fmt(consumeRate)} | ${(consumeRate / memRate).toFixed(3)} |`);

    const stub = await startProviderStub();
    const emitted: number[] = [];
    const job = runKafkaCostWindows({ kafka: kafka('windows'), groupId: `bench-w-${tenant}`, outOfOrdernessMs: 500, allowedLatenessMs: 5000 });
    const arrivals = new Map<string, number>();
    const probe = await consumeContract({ kafka: kafka('probe'), topic: TOPICS.telemetry, groupId: `bench-probe-${tenant}`, fromBeginning: false, handleBatch: async (ms) => {
      const now = performance.now();
      for (const m of ms) arrivals.set(m.value.event_id, now);
    } });
    const sdkTransport = createKafkaTransport({ kafka: kafka('sdk'), lingerMs: 1 });
    const sdkTenant = `${tenant}-sdk`;
    const events2: { at: number; id?: string }[] = [];
    const timed: Transport = {
      publish: (topic, key, value) => { events2.push({ at: performance.now(), id: (value as TelemetryEvent).event_id }); sdkTransport.publish(topic, key, value); },
      subscribe: (topic, handler) => sdkTransport.subscribe(topic, handler),
      flush: (ms) => sdkTransport.flush(ms),
      close: () => sdkTransport.close(),
      stats: () => sdkTransport.stats(),
    };
    const client = new Client({ tenantId: sdkTenant, budgetUsd: 1000, transport: timed });
    const ai = client.wrap(new OpenAI({ apiKey: 'sk', baseURL: `${stub.url}/v1`, maxRetries: 0 }));
    const reader = kafka('reader').consumer({ groupId: `bench-r-${tenant}` });
    await reader.connect();
    await reader.subscribe({ topic: TOPICS.costWindows, fromBeginning: false });
    await reader.run({ eachMessage: async ({ message }) => {
      const w = JSON.parse(message.value!.toString());
      if (w.key === sdkTenant && w.revision === 0) emitted.push(Date.now() - Date.parse(w.window_end));
    } });
    const until = Date.now() + 25_000;
    while (Date.now() < until) { await ai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }); await new Promise((r) => setTimeout(r, 20)); }
    await new Promise((r) => setTimeout(r, 2000));
    const lat = events2.filter((e) => arrivals.has(e.id!)).map((e) => arrivals.get(e.id!)! - e.at);
    console.log(`\n## stream: latency on the live path (${fmt(lat.length)} SDK calls over 25 s)`);
    console.log('| step | median ms | p99 ms |\n|---|---:|---:|');
    console.log(`| priced SDK call → its event read by a consumer group (Kafka) | ${quantile(lat, 0.5).toFixed(1)} | ${quantile(lat, 0.99).toFixed(1)} |`);
    console.log(`| window end → window emitted (${emitted.length} windows; watermark lag 500 ms by design) | ${quantile(emitted, 0.5).toFixed(0)} | ${quantile(emitted, 0.99).toFixed(0)} |`);
    await reader.disconnect();
    await sdkTransport.close();
    await probe.stop();
    await job.stop();
    await stub.close();
  } finally {
    if (!process.env.KAFKA_BROKERS) execFileSync('bash', [join(root, 'scripts/kafka.sh'), 'stop', String(port)], { stdio: 'inherit' });
  }
}
