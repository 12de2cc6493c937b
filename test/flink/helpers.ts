import { Ajv } from 'ajv';
import { inject } from 'vitest';
import { CostWindow, CostWindowAggregator, TOPICS, type TelemetryEvent } from '../../stream/index.js';
import { chunkMessages } from '../../stream/kafka/chunks.js';
import { submitCostWindows, type SubmitOptions } from '../../stream/flink/submit.js';
import { lateRecordsDropped as flinkLateDropped } from '../../stream/flink/rest.js';
import { brokers, kafka, readTopic } from '../helpers/kafka.js';

export const flink = () => {
  const f = inject('flink');
  if (!f.gateway) throw new Error('no Flink cluster in this run: test/setup/flink.ts starts one for the suites under test/flink/');
  return f;
};

export async function createTopics(partitions: number, ...topics: string[]) {
  const admin = kafka('flink-admin').admin();
  await admin.connect();
  await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: partitions })), waitForLeaders: true });
  await admin.disconnect();
}

/**
 * Sends values in order; a value with `partition` set goes there, else it is keyed by tenant. With `pace`,
 * `perSend` at a time every `everyMs`, as a live fleet sends (a send waits while the broker is away).
 */
export async function produce(
  topic: string,
  events: (TelemetryEvent | { raw: string; partition?: number } | { event: TelemetryEvent; partition: number })[],
  client = kafka('flink-producer'),
  pace?: { perSend: number; everyMs: number },
) {
  const p = client.producer({ idempotent: true, maxInFlightRequests: 1 });
  await p.connect();
  const messages = events.map((e) => {
    if ('raw' in e) return { key: 'raw', value: e.raw, partition: e.partition };
    if ('event' in e) return { key: e.event.tenant_id, value: JSON.stringify(e.event), partition: e.partition };
    return { key: e.tenant_id, value: JSON.stringify(e) };
  });
  const chunks = pace
    ? Array.from({ length: Math.ceil(messages.length / pace.perSend) }, (_, i) => messages.slice(i * pace.perSend, (i + 1) * pace.perSend))
    : chunkMessages(messages);
  for (const chunk of chunks) {
    await p.send({ topic, messages: chunk });
    if (pace) await new Promise((r) => setTimeout(r, pace.everyMs));
  }
  await p.disconnect();
}

/** Submits the job against the suite's broker with test-sized timings; cancel() ends it. */
export async function startFlinkJob(opts: Partial<SubmitOptions> & { jobName: string }) {
  const f = flink();
  const r = await submitCostWindows({ gateway: f.gateway, brokers: brokers().join(','), idleTimeoutMs: 1000, checkpointIntervalMs: 1000, startFrom: 'earliest', ...opts });
  return { ...r, cancel: () => cancelJob(r.jobId) };
}

export async function cancelJob(jobId: string) {
  await fetch(`${flink().rest}/jobs/${jobId}?mode=cancel`, { method: 'PATCH' });
}

export const lateRecordsDropped = (jobId: string) => flinkLateDropped(flink().rest, jobId);

/** The newest state of each window published on `topic` (the key's last record), and how many records each key had. */
export function latest(records: { key?: string; value: string }[], keyPrefix = '') {
  const windows = new Map<string, CostWindow>();
  const counts = new Map<string, number>();
  for (const r of records) {
    if (!r.key || !r.key.includes(`/${keyPrefix}`)) continue;
    windows.set(r.key, JSON.parse(r.value) as CostWindow);
    counts.set(r.key, (counts.get(r.key) ?? 0) + 1);
  }
  return { windows, counts };
}

export const readWindows = (topic: string, until: (msgs: { key?: string; value: string }[]) => boolean, timeoutMs = 60_000) =>
  readTopic(topic, until, timeoutMs);

/** Our embedded aggregator over the same events in the same order: the final state of every window. */
export function embeddedWindows(events: readonly TelemetryEvent[], opts: { outOfOrdernessMs?: number; allowedLatenessMs?: number } = {}) {
  const windows = new Map<string, CostWindow>();
  const agg = new CostWindowAggregator({ ...opts, emit: (w) => windows.set(`${w.scope}/${w.key}/${w.window_start}`, w) });
  for (const e of events) agg.add(e);
  agg.flush();
  return { windows, stats: agg.stats() };
}

/** The fields both engines must agree on (revision is each engine's own emission count). */
export const sums = (w: CostWindow) => ({
  scope: w.scope, key: w.key, tenant_id: w.tenant_id, window_start: w.window_start, window_end: w.window_end,
  spend_usd_micros: w.spend_usd_micros, calls: w.calls, tokens: w.tokens, gpu_seconds: w.gpu_seconds,
});

const ajv = new Ajv({ strict: false });
ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
export const validCostWindow = ajv.compile(CostWindow);

export { TOPICS };
