import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createKafka, ensureTopics, runKafkaCostWindows, TOPIC_SPECS, TOPICS, type CostWindow, type CostWindowJob,
} from '../../stream/index.js';
import { until } from '../deployments/helpers.js';
import { tempDir } from '../helpers/index.js';
import { sameSums, waitFor } from '../helpers/kafka.js';
import { ADMIN, modelDir } from '../serving/fixtures.js';
import { killAll, spawnServe } from '../serving/serve-process.js';
import { windowSums } from '../helpers/telemetry-workload.js';
import { brokerScript, freeBrokerPort } from '../setup/kafka.js';
import { cancelJob, embeddedWindows, latest, produce, startFlinkJob, sums } from './helpers.js';
import { sharedClockWorkload } from './workload.js';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterAll(async () => { for (const c of cleanups.reverse()) await c(); });

const WINDOW = 10_000;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('switching engines on one lut.cost-windows: our job → Flink → our job (issue point 5)', () => {
  it('the windows consumers read, the last record per key, equal the truth: nothing lost, nothing doubled', async () => {
    // A broker of its own: both engines read all of lut.telemetry, and other suites' events would move Flink's clock.
    const port = await freeBrokerPort();
    brokerScript('start', port, true);
    cleanups.push(() => brokerScript('wipe', port));
    const brokers = `127.0.0.1:${port}`;
    const own = (cid: string) => createKafka({ brokers: [brokers], clientId: cid });
    const admin = own('admin').admin();
    await admin.connect();
    await ensureTopics(admin);
    await admin.disconnect();
    const partitions = TOPIC_SPECS.find((t) => t.topic === TOPICS.telemetry)!.numPartitions;
    // A server whose dashboard reads lut.cost-windows, whichever engine writes it.
    const { base } = await spawnServe(['--model', modelDir(), '--ledger', tempDir(), '--fsync', 'never', '--brokers', brokers], { LUTFLOW_API_KEYS: `${ADMIN}=*` });
    cleanups.push(() => killAll());

    const id = `sw-${randomUUID().slice(0, 8)}`;
    const start = Date.UTC(2100, 0, 1) + Math.floor(Math.random() * 1e6) * WINDOW;
    const wl = sharedClockWorkload({
      events: 4_000, tenants: partitions, prefix: id, startMs: start, seed: 9, maxStepMs: 400,
    });
    // Tenant i on partition i: every partition carries the stream, each tenant's events in order.
    const spread = (from: number, to: number) =>
      wl.events.slice(from, to).map((event) => ({ event, partition: Number(/-t(\d+)$/.exec(event.tenant_id)![1]) }));
    const [p1, p2a, p2b, p3] = [spread(0, 1000), spread(1000, 2000), spread(2000, 3000), spread(3000, 4000)];
    // What consumers read (committed records), with each record's place: which engine wrote it is told by offsets.
    const records: { key?: string; value: string; partition: number; offset: bigint }[] = [];
    const reader = own('sw-reader').consumer({ groupId: `reader-${id}`, maxWaitTimeInMs: 200 });
    await reader.connect();
    await reader.subscribe({ topic: TOPICS.costWindows, fromBeginning: true });
    await reader.run({ eachMessage: async ({ partition, message: m }) => {
      records.push({ key: m.key?.toString(), value: m.value?.toString() ?? '', partition, offset: BigInt(m.offset) });
    } });
    cleanups.push(() => reader.disconnect());
    const ends = async () => {
      const a = own('ends').admin();
      await a.connect();
      const o = new Map((await a.fetchTopicOffsets(TOPICS.costWindows)).map((p) => [p.partition, BigInt(p.high)]));
      await a.disconnect();
      return o;
    };
    const since = (from: Map<number, bigint>) => records.filter((r) => r.offset >= (from.get(r.partition) ?? 0n));
    const tenants = [...wl.truth.keys()];
    /** Whether every tenant has a window starting at or after `ms` among `rs`. */
    const reached = (ms: number, rs: typeof records = records) => {
      const seen = new Set(rs.filter((r) => r.key?.startsWith(`tenant/${id}`)).map((r) => JSON.parse(r.value) as CostWindow)
        .filter((w) => Date.parse(w.window_start) >= ms).map((w) => w.tenant_id));
      return tenants.every((t) => seen.has(t));
    };

    // 1. Our job reads P1 and P2a. Flink will take the windows from T on: the first to start after every
    //    event of P1, and it will read from R, the first record of P2a by Kafka timestamp.
    const maxP1 = Math.max(...p1.map((e) => Date.parse(e.event.event_time)));
    const T = (Math.floor(maxP1 / WINDOW) + 1) * WINDOW;
    await produce(TOPICS.telemetry, p1, own('p1'));
    await pause(20);
    const R = Date.now();
    await pause(20);
    await produce(TOPICS.telemetry, p2a, own('p2a'));
    const group = `${id}-ours`;
    let ours: CostWindowJob = runKafkaCostWindows({ kafka: own('ours'), groupId: group, commitIntervalMs: 200 });
    cleanups.push(() => ours.stop());
    // Stopped once its windows before T are final: each tenant's clock past T + bound + lateness.
    expect(await waitFor(() => reached(T + 30_000), 60_000)).toBe(true);
    await ours.stop();

    // 2. Flink from R, publishing the windows from T on; P2b arrives while it runs.
    const atFlink = await ends();
    const flink = await startFlinkJob({
      jobName: id, groupId: `${id}-flink`, brokers, startFrom: { timestampMs: R }, windowsFromMs: T, idleTimeoutMs: 60_000,
    });
    cleanups.push(() => cancelJob(flink.jobId));
    await produce(TOPICS.telemetry, p2b, own('p2b'));
    const maxP2b = Math.max(...p2b.map((e) => Date.parse(e.event.event_time)));
    expect(await waitFor(() => reached(maxP2b - 90_000, since(atFlink)), 90_000)).toBe(true);
    const byFlink = latest(since(atFlink), id);
    expect(byFlink.windows.size).toBeGreaterThan(0);
    expect([...byFlink.windows.values()].filter((w) => Date.parse(w.window_start) < T)).toEqual([]);
    expect([...byFlink.counts.values()].filter((n) => n !== 1)).toEqual([]);

    // 3. Our job again, from its own committed state; once it has caught up, Flink is cancelled and P3 follows.
    ours = runKafkaCostWindows({ kafka: own('ours-again'), groupId: group, commitIntervalMs: 200 });
    const caughtUp = () => {
      const lag = Object.values(ours.stats().lag);
      return lag.length === partitions && lag.every((l) => l === 0);
    };
    expect(await waitFor(caughtUp, 60_000)).toBe(true);
    await flink.cancel();
    await produce(TOPICS.telemetry, p3, own('p3'));

    expect(await waitFor(() => sameSums(windowSums(records, id).perTenant, wl.truth), 90_000)).toBe(true);
    const truth = [...embeddedWindows(wl.events).windows].filter(([k]) => k.split('/')[1].startsWith(id));
    await waitFor(() => latest(records, id).windows.size >= truth.length, 15_000);
    const { windows } = latest(records, id);
    expect(windows.size).toBe(truth.length);
    for (const [k, w] of truth) expect(sums(windows.get(k) as CostWindow), k).toEqual(sums(w));

    // The dashboard of a server that followed the switch shows the same windows.
    type Shown = { scope: string; key: string; window_start: string; spend_micros: number; calls: number; tokens: CostWindow['tokens']; gpu_seconds: number };
    const shown = async () => {
      const body = await (await fetch(`${base}/spend`, { headers: { authorization: `Bearer ${ADMIN}` } })).json() as { tenants: { windows: Shown[] }[] };
      return new Map(body.tenants.flatMap((t) => t.windows).map((v) => [`${v.scope}/${v.key}/${v.window_start}`, v]));
    };
    const same = (v: Shown | undefined, w: CostWindow) => v !== undefined && v.spend_micros === w.spend_usd_micros && v.calls === w.calls && v.gpu_seconds === w.gpu_seconds
      && JSON.stringify(v.tokens) === JSON.stringify(w.tokens);
    await until(async () => { const m = await shown(); return truth.every(([k, w]) => same(m.get(k), w)); }, 'the dashboard to show every window', 30_000);
  }, 300_000);
});
