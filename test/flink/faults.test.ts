import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createKafka, type CostWindow, type TelemetryEvent } from '../../stream/index.js';
import { FLINK_JOB_DEFAULTS } from '../../stream/flink/job.js';
import { cli } from '../helpers/index.js';
import { brokers, createReader, kafka, sameSums, waitFor } from '../helpers/kafka.js';
import { windowSums } from '../helpers/telemetry-workload.js';
import { brokerScript, freeBrokerPort } from '../setup/kafka.js';
import {
  cancelJob, createTopics, embeddedWindows, flink, lateRecordsDropped, latest, produce, startFlinkJob, sums,
} from './helpers.js';
import { sharedClockWorkload } from './workload.js';

const PARTITIONS = 3;
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => { for (const c of cleanups.reverse()) await c(); });

/** Each tenant on a partition of its own (t0 on 0, t1 on 1, …): every partition carries the stream, as in a fleet. */
const spread = (events: readonly TelemetryEvent[]) =>
  events.map((event) => ({ event, partition: Number(/-t(\d+)$/.exec(event.tenant_id)![1]) % PARTITIONS }));

function scenario(name: string) {
  const id = `${name}-${randomUUID().slice(0, 8)}`;
  const start = Date.UTC(2100, 0, 1) + Math.floor(Math.random() * 1e6) * 10_000;
  const wl = sharedClockWorkload({ events: 3_000, tenants: 5, prefix: id, startMs: start, seed: 5, maxStepMs: 400 });
  // One event far past the last on every partition: the watermark passes every window.
  const closing = Array.from({ length: PARTITIONS }, (_, partition) => ({
    partition,
    event: {
      ...wl.events[0], event_id: `${id}-last-${partition}`, tenant_id: `tick-${id}`, deployment_id: undefined,
      event_time: new Date(wl.endMs + 120_000).toISOString(),
    },
  }));
  const first = spread(wl.events.slice(0, 1500));
  return { id, wl, IN: `flink-${id}-in`, OUT: `flink-${id}-out`, first, second: [...spread(wl.events.slice(1500)), ...closing] };
}

/** Every window equals the embedded aggregator's, and none was published twice. */
function expectExactlyOnce(records: { key?: string; value: string }[], s: ReturnType<typeof scenario>) {
  const { windows, counts } = latest(records, s.id);
  const ours = embeddedWindows(s.wl.events).windows;
  const mine = [...ours].filter(([k]) => k.split('/')[1].startsWith(s.id));
  expect(windows.size).toBe(mine.length);
  for (const [k, w] of mine) expect(sums(windows.get(k) as CostWindow), k).toEqual(sums(w));
  expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
}

describe('the Flink job across failures: nothing lost, nothing doubled (issue acceptance)', () => {
  it('a job cancelled mid-stream and submitted again from its newest checkpoint (lutflow flink submit --restore)', async () => {
    const s = scenario('ck');
    const f = flink();
    await createTopics(PARTITIONS, s.IN, s.OUT);
    const reader = createReader(kafka('ck-reader'), s.OUT);
    cleanups.push(() => reader.stop());
    await produce(s.IN, s.first);
    const job = ['--gateway', f.gateway, '--brokers', brokers().join(','), '--name', s.id, '--group', s.id, '--telemetry-topic', s.IN,
      '--windows-topic', s.OUT, '--start', 'earliest', '--checkpoint-interval', '1s'];
    const submitted = cli(['flink', 'submit', ...job, '--json']);
    expect(submitted.stderr).toBe('');
    const { jobId } = JSON.parse(submitted.stdout) as { jobId: string };
    cleanups.push(() => cancelJob(jobId));
    expect(await waitFor(() => windowSums(reader.records, s.id).windows > 20, 90_000)).toBe(true);
    // A checkpoint after some windows were committed; then the job goes away without a savepoint.
    const status = () => JSON.parse(cli(['flink', 'status', '--gateway', f.gateway, '--rest', f.rest, '--name', s.id, '--json']).stdout);
    const before = status().jobs[0].checkpoints.completed;
    expect(await waitFor(() => status().jobs[0].checkpoints.completed >= before + 2, 30_000)).toBe(true);
    await cancelJob(jobId);
    expect(await waitFor(() => status().jobs[0].status === 'CANCELED', 30_000)).toBe(true);
    // The newest checkpoint is retained on cancellation (older ones are deleted as new ones complete).
    const path: string = status().jobs[0].checkpoints.latestPath;
    expect(path).toMatch(/chk-\d+$/);
    await produce(s.IN, s.second);
    const again = cli(['flink', 'submit', ...job, '--restore', path, '--json']);
    expect(again.stderr).toBe('');
    const second = JSON.parse(again.stdout) as { jobId: string };
    cleanups.push(() => cancelJob(second.jobId));
    expect(await waitFor(() => sameSums(windowSums(reader.records, s.id).perTenant, s.wl.truth), 120_000)).toBe(true);
    expect(JSON.parse(cli(['flink', 'status', '--gateway', f.gateway, '--rest', f.rest, '--name', s.id, '--json']).stdout).jobs
      .find((j: { jobId: string }) => j.jobId === second.jobId).checkpoints.restored).toBe(1);
    await new Promise((r) => setTimeout(r, 3000));
    expectExactlyOnce(reader.records, s);
  }, 300_000);

  it('the broker killed (kill -9) mid-stream and started again while events keep coming', async () => {
    const s = scenario('bk');
    const port = await freeBrokerPort();
    brokerScript('start', port, true);
    cleanups.push(() => brokerScript('wipe', port));
    const own = (cid: string) =>
      createKafka({ brokers: [`127.0.0.1:${port}`], clientId: cid, retry: { retries: 100, maxRetryTime: 2000 } });
    const admin = own('admin').admin();
    await admin.connect();
    await admin.createTopics({
      topics: [s.IN, s.OUT].map((topic) => ({ topic, numPartitions: PARTITIONS })), waitForLeaders: true,
    });
    await admin.disconnect();
    const reader = createReader(own('bk-reader'), s.OUT);
    cleanups.push(() => reader.stop());
    await produce(s.IN, s.first, own('p1'));
    const { jobId } = await startFlinkJob({
      jobName: s.id, groupId: s.id, brokers: `127.0.0.1:${port}`, telemetryTopic: s.IN, windowsTopic: s.OUT,
      idleTimeoutMs: FLINK_JOB_DEFAULTS.idleTimeoutMs,
    });
    cleanups.push(() => cancelJob(jobId));
    expect(await waitFor(() => windowSums(reader.records, s.id).windows > 20, 90_000)).toBe(true);
    // The second half goes out 50 events every 200 ms; two seconds in, the broker dies and is started again
    // 8 s later on the same port and data (the producer's sends wait for it).
    const sending = produce(s.IN, s.second, own('p2'), { perSend: 50, everyMs: 200 }).then(() => undefined, (e: Error) => e);
    await new Promise((r) => setTimeout(r, 2000));
    brokerScript('kill', port);
    await new Promise((r) => setTimeout(r, 8000));
    brokerScript('start', port);
    expect(await sending).toBeUndefined();
    const done = await waitFor(() => sameSums(windowSums(reader.records, s.id).perTenant, s.wl.truth), 120_000);
    const why = async () => `${reader.records.length} records read; Flink dropped ${await lateRecordsDropped(jobId)} as late`;
    expect(done, done ? '' : await why()).toBe(true);
    await new Promise((r) => setTimeout(r, 3000));
    expectExactlyOnce(reader.records, s);
  }, 300_000);
});
