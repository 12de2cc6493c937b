import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { CostWindow } from '../../stream/index.js';
import { cli } from '../helpers/index.js';
import { brokers, createReader, kafka, sameSums, waitFor } from '../helpers/kafka.js';
import { windowSums } from '../helpers/telemetry-workload.js';
import { cancelJob, createTopics, embeddedWindows, flink, latest, produce, sums } from './helpers.js';
import { sharedClockWorkload } from './workload.js';

const PARTITIONS = 3;
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => { for (const c of cleanups.reverse()) await c(); });

function scenario(name: string) {
  const id = `${name}-${randomUUID().slice(0, 8)}`;
  const start = Date.UTC(2100, 0, 1) + Math.floor(Math.random() * 1e6) * 10_000;
  const wl = sharedClockWorkload({ events: 3_000, tenants: 5, prefix: id, startMs: start, seed: 5, maxStepMs: 400 });
  const tick = (ms: number, tag: string) => Array.from({ length: PARTITIONS }, (_, partition) => ({
    partition, event: { ...wl.events[0], event_id: `${id}-${tag}-${partition}`, tenant_id: `tick-${id}`, deployment_id: undefined, event_time: new Date(ms).toISOString() },
  }));
  return {
    id, wl, IN: `flink-${id}-in`, OUT: `flink-${id}-out`,
    first: [...tick(start - 50_000, 'first'), ...wl.events.slice(0, 1500)],
    second: [...wl.events.slice(1500), ...tick(wl.endMs + 120_000, 'last')],
  };
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
});
