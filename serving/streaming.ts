import { createKafka, createKafkaTransport, ensureTopics, followCostWindows, TOPIC_SPECS, TOPICS } from '../stream/index.js';
import type { Streaming } from './context.js';

type Log = (level: 'error' | 'warn' | 'info', message: string, fields?: Record<string, unknown>) => void;

/** The topics the server writes and reads, created when missing (as the jobs do). */
const USED = TOPIC_SPECS.filter((t) => t.topic === TOPICS.telemetry || t.topic === TOPICS.costWindows);
/** How long closing may take: past it the server closes its ledger and exits all the same. */
const CLOSE_MS = 5_000;

/**
 * The at-scale mode on Kafka: a producer for `lut.telemetry` (buffered while the broker is away, never failing
 * a request) and a reader of `lut.cost-windows` that starts an hour back. Kafka away delays neither the start
 * nor a request: the topics are checked (and created when missing) in the background until that succeeds.
 */
export async function kafkaStreaming(brokers: readonly string[], log: Log): Promise<Streaming> {
  // kafkajs' own lines stay quiet: the producer and the reader say when the broker goes and comes back.
  const kafka = createKafka({ brokers, clientId: 'lutflow-serve' });
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  const topicsReady = async (attempt: number): Promise<void> => {
    const admin = kafka.admin();
    try {
      await admin.connect();
      await ensureTopics(admin, USED);
      if (attempt > 1) log('info', 'Kafka topics checked', { topics: USED.map((t) => t.topic) });
    } catch (err) {
      if (attempt === 1) log('warn', 'Kafka topics not checked yet (broker away, or not allowed to create them): retrying every 5 s', { brokers, error: String((err as Error).message) });
      if (!closed) retry = setTimeout(() => void topicsReady(attempt + 1), 5_000).unref();
    } finally {
      await admin.disconnect().catch(() => {});
    }
  };
  void topicsReady(1);
  const telemetry = createKafkaTransport({ kafka, log });
  const windows = await followCostWindows({ kafka, log });
  return {
    telemetry, windows,
    async close() {
      closed = true;
      clearTimeout(retry);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => { timer = setTimeout(resolve, CLOSE_MS); });
      await Promise.race([Promise.all([windows.close(), telemetry.close()]), late]).finally(() => clearTimeout(timer));
    },
  };
}
