import { createKafka, createKafkaTransport, ensureTopics, followCostWindows } from '../stream/index.js';
import type { Streaming } from './context.js';

type Log = (level: 'error' | 'warn' | 'info', message: string, fields?: Record<string, unknown>) => void;

/**
 * The at-scale mode on Kafka: a producer for `lut.telemetry` (buffered while the broker is away, never failing
 * a request) and a reader of `lut.cost-windows` that starts an hour back. Kafka away at start delays neither.
 */
export async function kafkaStreaming(brokers: readonly string[], log: Log): Promise<Streaming> {
  // kafkajs' own lines stay quiet: the producer and the reader say when the broker goes and comes back.
  const kafka = createKafka({ brokers, clientId: 'lutflow-serve' });
  const admin = kafka.admin();
  try {
    let timer: NodeJS.Timeout | undefined;
    const away = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('no answer within 5 s')), 5_000); });
    await Promise.race([admin.connect().then(() => ensureTopics(admin)), away]).finally(() => clearTimeout(timer));
  } catch (err) {
    log('warn', 'Kafka not reachable at start: telemetry waits in the buffer and windows are read once it is', { brokers, error: String((err as Error).message) });
  } finally {
    await admin.disconnect().catch(() => {});
  }
  const telemetry = createKafkaTransport({ kafka, log });
  const windows = await followCostWindows({ kafka, log });
  return {
    telemetry, windows,
    async close() {
      await windows.close();
      await telemetry.flush(5_000).catch(() => {});
      await telemetry.close();
    },
  };
}
