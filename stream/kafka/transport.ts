import { CompressionTypes, type Consumer, type Kafka, type Producer } from 'kafkajs';
import { keyFor } from '../topics.js';
import type { Transport, TransportStats } from '../transport.js';

export interface KafkaTransportOptions {
  readonly kafka: Kafka;
  /** Messages held while the broker is slow or away; beyond this new ones are dropped and counted. */
  readonly capacity?: number;
  /** Largest batch per send, in messages and in bytes of payload (the broker refuses a record batch over 1 MiB by default). */
  readonly batchSize?: number;
  readonly batchBytes?: number;
  /** How long the sender waits to fill a batch. */
  readonly lingerMs?: number;
  /** Batch compression: snappy by default (much cheaper on CPU than gzip at a similar ratio for JSON). */
  readonly compression?: CompressionTypes;
  /** Consumer group of `subscribe()`. */
  readonly groupId?: string;
  readonly fromBeginning?: boolean;
}

/**
 * Kafka behind the same interface as the embedded bus. `publish` only appends to a bounded buffer; a
 * background sender drains it in batches (snappy, idempotent producer), and keeps messages buffered while
 * the broker is away, so callers never wait on or fail because of Kafka.
 */
export function createKafkaTransport(opts: KafkaTransportOptions): Transport & { readonly connected: boolean } {
  const capacity = opts.capacity ?? 100_000;
  const batchSize = opts.batchSize ?? 5000;
  const batchBytes = opts.batchBytes ?? 512 * 1024;
  const lingerMs = opts.lingerMs ?? 5;
  const buffer: { topic: string; key?: string; value: string }[] = [];
  const s = { published: 0, delivered: 0, dropped: 0, handlerErrors: 0 };
  const consumers: Consumer[] = [];
  let producer: Producer | undefined;
  let connected = false;
  let closed = false;
  let sending: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let backoffMs = 100;

  const connect = async () => {
    if (connected) return;
    producer ??= opts.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, retry: { retries: 2, initialRetryTime: 100 } });
    await producer.connect();
    connected = true;
  };

  const loop = async () => {
    while (!closed || buffer.length) {
      if (!buffer.length) {
        await new Promise<void>((r) => { wake = r; });
        continue;
      }
      if (buffer.length < batchSize && lingerMs > 0) await new Promise((r) => setTimeout(r, lingerMs));
      let bytes = 0, n = 0;
      while (n < buffer.length && n < batchSize && (n === 0 || bytes + buffer[n].value.length <= batchBytes)) bytes += buffer[n++].value.length;
      const batch = buffer.slice(0, n);
      try {
        await connect();
        const byTopic = new Map<string, { key?: string; value: string }[]>();
        for (const m of batch) {
          const list = byTopic.get(m.topic) ?? [];
          list.push({ key: m.key, value: m.value });
          byTopic.set(m.topic, list);
        }
        await producer!.sendBatch({ compression: opts.compression ?? CompressionTypes.Snappy, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
        buffer.splice(0, batch.length);
        s.delivered += batch.length;
        backoffMs = 100;
      } catch (err) {
        // A broker that refuses the batch itself (too large, invalid) will refuse it again: drop and count it.
        if ((err as { retriable?: boolean; type?: string }).retriable === false && (err as { type?: string }).type) {
          buffer.splice(0, batch.length);
          s.dropped += batch.length;
          continue;
        }
        connected = false;
        await producer?.disconnect().catch(() => {});
        producer = undefined;
        if (closed) { s.dropped += buffer.length; buffer.length = 0; break; }
        await new Promise((r) => setTimeout(r, backoffMs));
        backoffMs = Math.min(backoffMs * 2, 5000);
      }
    }
  };

  const ensureLoop = () => {
    sending ??= loop().finally(() => { sending = undefined; });
    wake?.();
    wake = undefined;
  };

  return {
    get connected() { return connected; },
    publish(topic, key, value) {
      if (buffer.length >= capacity || closed) { s.dropped++; return; }
      buffer.push({ topic, key: key ?? keyFor(topic, value), value: JSON.stringify(value) });
      s.published++;
      ensureLoop();
    },
    subscribe(topic, handler) {
      const consumer = opts.kafka.consumer({ groupId: opts.groupId ?? 'lutflow', allowAutoTopicCreation: false });
      consumers.push(consumer);
      const ready = (async () => {
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: opts.fromBeginning ?? true });
        await consumer.run({
          eachMessage: async ({ message }) => {
            try {
              await handler(JSON.parse(message.value?.toString('utf8') ?? 'null'), message.key?.toString('utf8'));
            } catch {
              s.handlerErrors++;
            }
          },
        });
      })();
      ready.catch(() => { s.handlerErrors++; });
      return () => { void consumer.disconnect(); };
    },
    /** Waits until the buffer is delivered, at most `timeoutMs` (the broker may be away). */
    async flush(timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      while (buffer.length && !closed && Date.now() < until) { ensureLoop(); await new Promise((r) => setTimeout(r, 5)); }
    },
    async close() {
      await this.flush(5_000);
      closed = true;
      wake?.();
      await sending;
      await Promise.all(consumers.map((c) => c.disconnect().catch(() => {})));
      await producer?.disconnect().catch(() => {});
    },
    stats: (): TransportStats => ({ ...s, buffered: buffer.length }),
  };
}
