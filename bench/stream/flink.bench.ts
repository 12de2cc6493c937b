import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { Kafka } from 'kafkajs';
import { CostWindowAggregator, createKafka, ensureTopics, runKafkaCostWindows, TOPICS, type CostWindow, type TelemetryEvent } from '../../stream/index.js';
import { chunkMessages } from '../../stream/kafka/chunks.js';
import { submitCostWindows } from '../../stream/flink/submit.js';
import { sharedClockWorkload } from '../../test/flink/workload.js';

const N = Number(process.env.LUTFLOW_FLINK_BENCH_EVENTS ?? 100_000);
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
const root = resolve(import.meta.dirname, '../../..');

/** Every record of a topic until `done` holds (read committed), with the time the last one arrived. */
async function follow(kafka: Kafka, topic: string, done: (latest: Map<string, CostWindow>) => boolean, timeoutMs: number) {
  const latest = new Map<string, CostWindow>();
  const c = kafka.consumer({ groupId: `bench-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await c.connect();
  await c.subscribe({ topic, fromBeginning: true });
  let resolveDone!: () => void;
  const finished = new Promise<void>((r) => (resolveDone = r));
  await c.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) if (m.key && m.value) latest.set(m.key.toString(), JSON.parse(m.value.toString()) as CostWindow);
      if (done(latest)) resolveDone();
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const ok = await Promise.race([finished.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs)))]);
  clearTimeout(timer);
  await c.disconnect();
  if (!ok) throw new Error(`${topic}: not complete within ${timeoutMs} ms`);
  return { latest, at: Date.now() };
}

const perTenant = (windows: Map<string, CostWindow>, prefix: string) => {
  const out = new Map<string, number>();
  for (const [k, w] of windows) if (k.startsWith(`tenant/${prefix}`)) out.set(w.tenant_id, (out.get(w.tenant_id) ?? 0) + w.spend_usd_micros);
  return out;
};
const same = (a: Map<string, number>, b: Map<string, number>) => a.size === b.size && [...b].every(([k, v]) => a.get(k) === v);
const key = (w: CostWindow) => `${w.scope}/${w.key}/${w.window_start}`;
const sums = (w: CostWindow) => JSON.stringify([w.spend_usd_micros, w.calls, w.tokens, w.gpu_seconds]);

/**
 * The same N events (20 tenants on one clock, out of order, 2 % duplicates, 2 % late) through our embedded
 * aggregator (in process), our Kafka job and the Flink job (local cluster, scripts/flink.sh), each reading
 * the whole backlog from lut.telemetry: throughput of each, and whether their windows are identical.
 */
export async function run(): Promise<void> {
  let brokers = process.env.KAFKA_BROKERS;
  let gateway = process.env.LUTFLOW_FLINK_GATEWAY;
  const started: string[][] = [];
  if (!brokers) {
    execFileSync('bash', [join(root, 'scripts/kafka.sh'), 'start', '--fresh', '19492'], { stdio: 'inherit' });
    started.push(['kafka.sh', 'wipe', '19492']);
    brokers = '127.0.0.1:19492';
  }
  if (!gateway) {
    execFileSync('bash', [join(root, 'scripts/flink.sh'), 'start', '--fresh', '19481'], { stdio: 'inherit' });
    started.push(['flink.sh', 'wipe', '19481']);
    gateway = 'http://127.0.0.1:19482';
  }
  const kafka = (id: string) => createKafka({ brokers: brokers!.split(','), clientId: id });
  try {
    const admin = kafka('admin').admin();
    await admin.connect();
    await ensureTopics(admin);
    const id = randomUUID().slice(0, 8);
    const flinkOut = `bench-flink-out-${id}`;
    await admin.createTopics({ topics: [{ topic: flinkOut, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();

    const prefix = `bf-${id}`;
    const start = Date.UTC(2101, 0, 1) + Math.floor(Math.random() * 1e6) * 10_000;
    const wl = sharedClockWorkload({ events: N, tenants: 20, prefix, startMs: start, seed: 3 });
    const tick = (ms: number, tag: string) => Array.from({ length: 6 }, (_, partition) => ({
      partition, key: 'tick', value: JSON.stringify({ ...wl.events[0], event_id: `${prefix}-${tag}-${partition}`, tenant_id: `tick-${id}`, deployment_id: undefined, event_time: new Date(ms).toISOString() }),
    }));
    const producer = kafka('p').producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const messages = [...tick(start - 50_000, 'first'), ...wl.events.map((e) => ({ key: e.tenant_id, value: JSON.stringify(e) })), ...tick(wl.endMs + 120_000, 'last')];
    for (const chunk of chunkMessages(messages)) await producer.send({ topic: TOPICS.telemetry, messages: chunk });
    await producer.disconnect();

    // Embedded: the aggregator alone, in process.
    const t0 = performance.now();
    const embedded = new Map<string, CostWindow>();
    const agg = new CostWindowAggregator({ emit: (w) => embedded.set(key(w), w) });
    for (const e of wl.events as TelemetryEvent[]) agg.add(e);
    agg.flush();
    const embeddedMs = performance.now() - t0;
    const ours = new Map([...embedded].filter(([k]) => k.split('/')[1].startsWith(prefix)));

    // Our Kafka job over the backlog (the whole topic: this run's events and the ticks).
    const k0 = Date.now();
    const job = runKafkaCostWindows({ kafka: kafka('windows'), groupId: `bench-${id}`, idleTimeoutMs: 1000 });
    const kafkaOut = await follow(kafka('r1'), TOPICS.costWindows, (l) => same(perTenant(l, prefix), wl.truth), 900_000);
    await job.stop();
    const kafkaMs = kafkaOut.at - k0;

    // The Flink job over the same backlog: from the submission (session, statements, job start) to the last window.
    const f0 = Date.now();
    const submitted = await submitCostWindows({ gateway: gateway!, brokers: brokers!, jobName: `bench-${id}`, groupId: `bench-${id}`, windowsTopic: flinkOut, startFrom: 'earliest' });
    const f1 = Date.now();
    const flinkOut_ = await follow(kafka('r2'), flinkOut, (l) => same(perTenant(l, prefix), wl.truth) && [...ours.keys()].every((k) => l.has(k)), 900_000);
    const flinkMs = flinkOut_.at - f1;
    await fetch(`${gateway!.replace(/:(\d+)$/, (_, p) => `:${Number(p) - 1}`)}/jobs/${submitted.jobId}?mode=cancel`, { method: 'PATCH' }).catch(() => {});

    const compare = (m: Map<string, CostWindow>, withLate: boolean) => {
      let diff = 0;
      for (const [k, w] of ours) {
        const o = m.get(k);
        if (!o || sums(o) !== sums(w) || (withLate && o.late_events !== w.late_events)) diff++;
      }
      return diff;
    };
    const flinkWindows = new Map([...flinkOut_.latest].filter(([k]) => k.split('/')[1].startsWith(prefix)));
    const kafkaWindows = new Map([...kafkaOut.latest].filter(([k]) => k.split('/')[1].startsWith(prefix)));
    console.log(`\n## Cost windows: embedded, Kafka job, Flink job (${fmt(N)} events, 20 tenants, ${fmt(wl.duplicates)} duplicates, ${fmt(wl.late)} late)\n`);
    console.log('| engine | what is timed | time | events/s | windows | differing from embedded |');
    console.log('| --- | --- | ---: | ---: | ---: | ---: |');
    console.log(`| embedded aggregator | add + flush, in process | ${fmt(embeddedMs)} ms | ${fmt(N / (embeddedMs / 1000))} | ${fmt(ours.size)} | (reference) |`);
    console.log(`| Kafka job (lutflow windows) | start to last window committed, backlog | ${fmt(kafkaMs)} ms | ${fmt(N / (kafkaMs / 1000))} | ${fmt(kafkaWindows.size)} | ${compare(kafkaWindows, false)} (sums) |`);
    console.log(`| Flink job (1 slot, 1 GB TM) | job submitted to last window committed, backlog | ${fmt(flinkMs)} ms | ${fmt(N / (flinkMs / 1000))} | ${fmt(flinkWindows.size)} | ${compare(flinkWindows, true)} (sums and late events) |`);
    console.log(`\nFlink submission through the SQL Gateway: ${fmt(f1 - f0)} ms. Embedded / Kafka job: ${(kafkaMs / embeddedMs).toFixed(1)}x; Kafka job / Flink job: ${(flinkMs / kafkaMs).toFixed(2)}x.`);
  } finally {
    for (const [script, ...args] of started.reverse()) execFileSync('bash', [join(root, 'scripts', script), ...args], { stdio: 'inherit' });
  }
}
