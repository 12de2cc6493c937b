import kafkajs, { CompressionTypes, Kafka, logLevel, type KafkaConfig, type logCreator } from 'kafkajs';
// @ts-expect-error: kafkajs-snappy ships no types
import SnappyCodec from 'kafkajs-snappy';

// Snappy (pure JS) for producers and consumers alike: far less CPU than gzip at a similar ratio for JSON.
kafkajs.CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec;

export interface KafkaOptions {
  /** `host:port` list; from KAFKA_BROKERS by default. */
  readonly brokers?: readonly string[];
  readonly clientId?: string;
  readonly log?: (level: 'error' | 'warn' | 'info', message: string, extra: object) => void;
  /** kafkajs retry policy for connections and requests. */
  readonly retry?: KafkaConfig['retry'];
  readonly connectionTimeoutMs?: number;
}

export function brokersFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  const b = env.KAFKA_BROKERS?.split(',').map((s) => s.trim()).filter(Boolean) ?? [];
  if (!b.length) throw new Error('no Kafka brokers: set KAFKA_BROKERS (e.g. 127.0.0.1:19092) or pass brokers');
  return b;
}

/** A kafkajs client whose log goes to the given sink (quiet by default: kafkajs logs every retry as an error). */
export function createKafka(opts: KafkaOptions = {}): Kafka {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
  const sink = opts.log;
  const creator: logCreator = () => ({ level, log }) => {
    if (!sink) return;
    const name = level === logLevel.ERROR ? 'error' : level === logLevel.WARN ? 'warn' : 'info';
    sink(name, log.message, log);
  };
  return new Kafka({
    clientId: opts.clientId ?? 'lutflow',
    brokers: [...(opts.brokers ?? brokersFromEnv())],
    logLevel: sink ? logLevel.WARN : logLevel.NOTHING,
    logCreator: creator,
    connectionTimeout: opts.connectionTimeoutMs ?? 3000,
    retry: opts.retry ?? { initialRetryTime: 200, retries: 8, maxRetryTime: 5000 },
  });
}
