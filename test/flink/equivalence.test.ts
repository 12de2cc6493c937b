import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKafkaCostWindows, TOPICS, type CostWindow, type CostWindowJob } from '../../stream/index.js';
import { createReader, kafka, sameSums, waitFor } from '../helpers/kafka.js';
import { windowSums } from '../helpers/telemetry-workload.js';
import { createTopics, embeddedWindows, latest, produce, startFlinkJob, sums, validCostWindow } from './helpers.js';
import { sharedClockWorkload } from './workload.js';

// CI-sized; the 100,000-event run is bench/stream/flink.bench.ts.
const EVENTS = Number(process.env.LUTFLOW_FLINK_EQUIVALENCE_EVENTS ?? 4_000);
const id = randomUUID().slice(0, 8);
const prefix = `eq-${id}`;
const FLINK_OUT = `flink-eq-out-${id}`;
// Far ahead of every other suite's event times on lut.telemetry, so that theirs never move this job's clock.
const START = Date.UTC(2100, 0, 1) + Math.floor(Math.random() * 1e6) * 10_000;
const wl = sharedClockWorkload({ events: EVENTS, tenants: 7, prefix, startMs: START, seed: 11 });

/** One event of a tenant of its own on each of lut.telemetry's 6 partitions. */
const ticks = (ms: number, name: string) => Array.from({ length: 6 }, (_, partition) => ({
  partition,
  event: { ...wl.events[0], event_id: `${prefix}-${name}-${partition}`, tenant_id: `tick-${id}`, deployment_id: undefined, event_time: new Date(ms).toISOString() },
}));

let flinkJob: { cancel: () => Promise<void> } | undefined;
let kafkaJob: CostWindowJob | undefined;
let flinkReader: ReturnType<typeof createReader>;
let kafkaReader: ReturnType<typeof createReader>;

beforeAll(async () => {
  await createTopics(3, FLINK_OUT);
  flinkReader = createReader(kafka('flink-reader'), FLINK_OUT);
  kafkaReader = createReader(kafka('kafka-reader'), TOPICS.costWindows);
  const from = Date.now() - 1000;
  // One event on every partition first: Flink's watermark is the slowest partition's, and a partition that has
  // sent nothing for the idle timeout stops holding it back. Read as a bulk backlog, a partition still idle
  // when the others' events arrive would see its own first events come too late (see README).
  await produce(TOPICS.telemetry, ticks(START - 50_000, 'first'));
  flinkJob = await startFlinkJob({ jobName: `eq-${id}`, groupId: `eq-flink-${id}`, windowsTopic: FLINK_OUT, startFrom: { timestampMs: from }, idleTimeoutMs: 10_000 });
  kafkaJob = runKafkaCostWindows({ kafka: kafka('windows'), groupId: `eq-${id}`, idleTimeoutMs: 1000, commitIntervalMs: 200 });
  await produce(TOPICS.telemetry, wl.events);
  // And one far past the last: Flink's watermark passes every window.
  await produce(TOPICS.telemetry, ticks(wl.endMs + 120_000, 'last'));
}, 120_000);

afterAll(async () => {
  await flinkJob?.cancel();
  await kafkaJob?.stop();
  await flinkReader?.stop();
  await kafkaReader?.stop();
});

const mine = (m: Map<string, CostWindow>) => new Map([...m].filter(([k]) => k.split('/')[1].startsWith(prefix)));

describe(`the same ${EVENTS.toLocaleString('en')} events through the embedded aggregator, the Kafka job and the Flink job (issue point 4)`, () => {
  it("every engine has each tenant's spend to the micro-dollar", async () => {
    expect(wl.duplicates).toBeGreaterThan(0);
    expect(wl.late).toBeGreaterThan(0);
    expect(await waitFor(() => sameSums(windowSums(flinkReader.records, prefix).perTenant, wl.truth), 150_000)).toBe(true);
    expect(await waitFor(() => sameSums(windowSums(kafkaReader.records, prefix).perTenant, wl.truth), 150_000)).toBe(true);
  }, 320_000);

  it('the Flink job gives every window exactly as the embedded aggregator: sums, GPU-seconds and late events, once each', async () => {
    const ours = mine(embeddedWindows(wl.events).windows);
    // The deployment windows come with the tenant windows of the same firing; give the last ones a moment.
    await waitFor(() => mine(latest(flinkReader.records).windows).size >= ours.size, 30_000);
    const { windows, counts } = latest(flinkReader.records);
    const flink = mine(windows);
    expect([...flink.keys()].sort()).toEqual([...ours.keys()].sort());
    for (const [k, w] of ours) expect({ ...sums(flink.get(k)!), late: flink.get(k)!.late_events }, k).toEqual({ ...sums(w), late: w.late_events });
    expect([...counts].filter(([k, n]) => flink.has(k) && n !== 1)).toEqual([]);
    expect([...flink.values()].every((w) => validCostWindow(w) && w.revision === 0)).toBe(true);
    expect([...ours.values()].reduce((s, w) => s + w.late_events, 0)).toBeGreaterThan(0);
  }, 60_000);

  it('the Kafka job gives every window the same sums; its revisions only ever grow', async () => {
    const ours = mine(embeddedWindows(wl.events).windows);
    await waitFor(() => mine(latest(kafkaReader.records).windows).size >= ours.size, 30_000);
    const kafkaWindows = mine(latest(kafkaReader.records).windows);
    expect([...kafkaWindows.keys()].sort()).toEqual([...ours.keys()].sort());
    for (const [k, w] of ours) expect(sums(kafkaWindows.get(k)!), k).toEqual(sums(w));
    expect(windowSums(kafkaReader.records, prefix).decreases).toBe(0);
  }, 60_000);
});
