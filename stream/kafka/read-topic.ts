import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';

/**
 * Reads a topic from its beginning to its end as of the call (committed records only), keeping the
 * latest value per key: a compacted changelog read back whole. A null value deletes its key.
 */
export async function readToEnd(kafka: Kafka, topic: string, timeoutMs = 60_000): Promise<Map<string, Buffer>> {
  const admin = kafka.admin();
  await admin.connect();
  const out = new Map<string, Buffer>();
  const groupId = `${topic}.reader-${randomUUID()}`;
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const left = new Map(
      ends.filter((e) => BigInt(e.high) > BigInt(e.low)).map((e) => [e.partition, BigInt(e.high) - 1n]),
    );
    if (!left.size) return out;
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, retry: { retries: 3 } });
    let done!: () => void;
    const finished = new Promise<void>((r) => {
      done = r;
    });
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const last = left.get(payload.partition);
      if (last !== undefined && BigInt(payload.lastOffset) >= last) left.delete(payload.partition);
      if (!left.size) done();
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            const key = m.key?.toString('utf8');
            if (key === undefined) continue;
            if (m.value === null) out.delete(key);
            else out.set(key, m.value);
          }
        },
      });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${topic}: not read to its end within ${timeoutMs} ms`)), timeoutMs);
      });
      await Promise.race([finished, timeout]).finally(() => clearTimeout(timer));
    } finally {
      await consumer.disconnect().catch(() => {});
    }
    await admin.deleteGroups([groupId]).catch(() => {});
    return out;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
