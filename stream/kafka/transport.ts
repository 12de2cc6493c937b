import { CompressionTypes, type Admin, type Consumer, type Kafka, type Producer } from 'kafkajs';
import { keyFor } from '../topics.js';
import type { Transport, TransportStats } from '../transport.js';
import type { JobLog } from './supervise.js';

export interface KafkaTransportOptions {
  readonly kafka: Kafka;
  /** Messages held while the broker is slow or away; beyond this `publish` drops (and counts, and logs). */
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
  /** While idle, how often the broker is asked whether it is still there (`connected`). */
  readonly probeMs?: number;
  /** Where drops and outages are reported (at most one drop line per 10 s). */
  readonly log?: JobLog;
}

export type KafkaTransport = Transport &
  Required<Pick<Transport, 'publishAsync'>> & {
    /** The broker answered the last send or probe; false from a failed one until one succeeds. */
    readonly connected: boolean;
    publish(topic: string, key: string | undefined, value: unknown): boolean;
  };

/**
 * Kafka behind the same interface as the embedded bus. `publish` only appends to a bounded buffer; a
 * background sender drains it in batches (snappy, idempotent producer), and keeps messages buffered while
 * the broker is away, so callers never wait on or fail because of Kafka. A burst larger than the buffer
 * drops what does not fit (counted and logged); `publishAsync` waits for room instead, up to a bound.
 */
export function createKafkaTransport(opts: KafkaTransportOptions): KafkaTransport {
  const capacity = opts.capacity ?? 100_000;
  const batchSize = opts.batchSize ?? 5000;
  const batchBytes = opts.batchBytes ?? 512 * 1024;
  const lingerMs = opts.lingerMs ?? 5;
  const probeMs = opts.probeMs ?? 5000;
  const buffer: { topic: string; key?: string; value: string }[] = [];
  const s = { published: 0, delivered: 0, dropped: 0, handlerErrors: 0, waited: 0 };
  const consumers: Consumer[] = [];
  const roomWaiters: (() => void)[] = [];
  let producer: Producer | undefined;
  let admin: Admin | undefined;
  let connected = false;
  let closed = false;
  let sending: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let backoffMs = 100;
  let lastDropLog = 0;

  const connect = async () => {
    if (connected) return;
    producer ??= opts.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      retry: { retries: 2, initialRetryTime: 100 },
    });
    await producer.connect();
    if (!connected) opts.log?.('info', 'Kafka transport connected', { buffered: buffer.length });
    connected = true;
  };

  const lost = async (err: unknown) => {
    if (connected)
      opts.log?.('warn', 'Kafka transport lost the broker; buffering', {
        error: String((err as Error)?.message ?? err),
        buffered: buffer.length,
      });
    connected = false;
    await producer?.disconnect().catch(() => {});
    producer = undefined;
  };

  /** Idle: ask the broker whether it is there, so `connected` does not stay true through an outage. */
  const probe = async () => {
    try {
      if (!connected) {
        await connect();
        return;
      }
      admin ??= opts.kafka.admin({ retry: { retries: 0 } });
      await admin.connect();
      await admin.describeCluster();
    } catch (err) {
      await admin?.disconnect().catch(() => {});
      admin = undefined;
      await lost(err);
    }
  };

  const freeRoom = () => {
    while (roomWaiters.length && buffer.length < capacity) roomWaiters.shift()!();
  };

  const loop = async () => {
    while (!closed || buffer.length) {
      if (!buffer.length) {
        let timer: NodeJS.Timeout | undefined;
        const timedOut = await new Promise<boolean>((r) => {
          wake = () => r(false);
          timer = setTimeout(() => r(true), probeMs).unref();
        });
        clearTimeout(timer);
        if (timedOut && !closed && !buffer.length) await probe();
        continue;
      }
      if (buffer.length < batchSize && lingerMs > 0) await new Promise((r) => setTimeout(r, lingerMs));
      let bytes = 0,
        n = 0;
      while (n < buffer.length && n < batchSize && (n === 0 || bytes + buffer[n].value.length <= batchBytes))
        bytes += buffer[n++].value.length;
      const batch = buffer.slice(0, n);
      try {
        await connect();
        const byTopic = new Map<string, { key?: string; value: string }[]>();
        for (const m of batch) {
          const list = byTopic.get(m.topic) ?? [];
          list.push({ key: m.key, value: m.value });
          byTopic.set(m.topic, list);
        }
        await producer!.sendBatch({
          compression: opts.compression ?? CompressionTypes.Snappy,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        });
        buffer.splice(0, batch.length);
        s.delivered += batch.length;
        backoffMs = 100;
        freeRoom();
      } catch (err) {
        // A broker that refuses the batch itself (too large, invalid) will refuse it again: drop and count it.
        if ((err as { retriable?: boolean; type?: string }).retriable === false && (err as { type?: string }).type) {
          opts.log?.('error', 'Kafka refused a batch; dropped', {
            error: String((err as Error).message),
            messages: batch.length,
          });
          buffer.splice(0, batch.length);
          s.dropped += batch.length;
          freeRoom();
          continue;
        }
        await lost(err);
        if (closed) {
          s.dropped += buffer.length;
          buffer.length = 0;
          break;
        }
        await new Promise((r) => setTimeout(r, backoffMs));
        backoffMs = Math.min(backoffMs * 2, 5000);
      }
    }
  };

  const ensureLoop = () => {
    sending ??= loop().finally(() => {
      sending = undefined;
    });
    wake?.();
    wake = undefined;
  };

  const publish = (topic: string, key: string | undefined, value: unknown): boolean => {
    if (buffer.length >= capacity || closed) {
      s.dropped++;
      if (Date.now() - lastDropLog > 10_000) {
        lastDropLog = Date.now();
        opts.log?.(
          'warn',
          `Kafka transport buffer full (${capacity} messages): dropping; use publishAsync to wait for room, or a larger capacity`,
          { dropped: s.dropped, connected },
        );
      }
      return false;
    }
    buffer.push({ topic, key: key ?? keyFor(topic, value), value: JSON.stringify(value) });
    s.published++;
    ensureLoop();
    return true;
  };

  return {
    get connected() {
      return connected;
    },
    publish,
    async publishAsync(topic, key, value, timeoutMs = 30_000) {
      if (buffer.length >= capacity && !closed) {
        s.waited++;
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((r) => {
          roomWaiters.push(r);
          timer = setTimeout(r, timeoutMs);
        });
        clearTimeout(timer);
      }
      return publish(topic, key, value);
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
      ready.catch(() => {
        s.handlerErrors++;
      });
      return () => {
        void consumer.disconnect();
      };
    },
    /** Waits until the buffer is delivered, at most `timeoutMs` (the broker may be away). */
    async flush(timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      while (buffer.length && !closed && Date.now() < until) {
        ensureLoop();
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    async close() {
      await this.flush(5_000);
      closed = true;
      wake?.();
      freeRoom();
      for (const r of roomWaiters.splice(0)) r();
      await sending;
      await Promise.all(consumers.map((c) => c.disconnect().catch(() => {})));
      await producer?.disconnect().catch(() => {});
      await admin?.disconnect().catch(() => {});
    },
    stats: (): TransportStats => ({ ...s, buffered: buffer.length }),
  };
}
