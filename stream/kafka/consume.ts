import type { Consumer, Kafka, Producer } from 'kafkajs';
import { toDeadLetter } from '../contracts/dead-letters.js';
import { decode, type TopicTypes } from '../contracts/validate.js';
import { deadLetterTopic, type ContractTopic } from '../topics.js';

export interface ConsumedMessage<T> {
  readonly value: T;
  readonly key?: string;
  readonly partition: number;
  readonly offset: bigint;
}

export interface ContractConsumerOptions<K extends ContractTopic> {
  readonly kafka: Kafka;
  readonly topic: K;
  readonly groupId: string;
  /** Valid records of one partition batch, in offset order. */
  readonly handleBatch: (messages: ConsumedMessage<TopicTypes[K]>[], partition: number) => Promise<void>;
  /**
   * The offset to commit for a partition after a batch (the next one to read). By default everything
   * handled; stateful consumers commit less, so a restart replays what their state still needs.
   */
  readonly commitOffset?: (partition: number, lastHandled: bigint) => bigint | undefined;
  readonly fromBeginning?: boolean;
}

export interface ContractConsumer {
  readonly consumer: Consumer;
  readonly stats: { valid: number; deadLettered: number };
  stop(): Promise<void>;
}

/**
 * Consumes a contract topic in a consumer group: every record is validated; a bad one goes to
 * `<topic>.dlq` with its reason and original bytes, and the consumer carries on. Offsets are committed
 * by hand after each batch is handled.
 */
export async function consumeContract<K extends ContractTopic>(opts: ContractConsumerOptions<K>): Promise<ContractConsumer> {
  const consumer = opts.kafka.consumer({ groupId: opts.groupId, allowAutoTopicCreation: false, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  const dlq: Producer = opts.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  const stats = { valid: 0, deadLettered: 0 };
  await consumer.connect();
  await dlq.connect();
  await consumer.subscribe({ topic: opts.topic, fromBeginning: opts.fromBeginning ?? true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch, heartbeat }) => {
      const valid: ConsumedMessage<TopicTypes[K]>[] = [];
      const dead: { key?: string; value: string }[] = [];
      for (const m of batch.messages) {
        const bytes = m.value ?? Buffer.alloc(0);
        const key = m.key?.toString('utf8');
        const v = decode(opts.topic, bytes);
        if (v.ok) valid.push({ value: v.value, key, partition: batch.partition, offset: BigInt(m.offset) });
        else dead.push({ key, value: JSON.stringify(toDeadLetter({ topic: opts.topic, bytes, key, partition: batch.partition, offset: m.offset }, v.errors)) });
      }
      if (dead.length) {
        await dlq.send({ topic: deadLetterTopic(opts.topic), messages: dead });
        stats.deadLettered += dead.length;
      }
      if (valid.length) await opts.handleBatch(valid, batch.partition);
      stats.valid += valid.length;
      const last = BigInt(batch.lastOffset());
      const next = opts.commitOffset ? opts.commitOffset(batch.partition, last) : last + 1n;
      if (next !== undefined) await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next.toString() }]);
      await heartbeat();
    },
  });
  return {
    consumer,
    stats,
    async stop() {
      await consumer.disconnect().catch(() => {});
      await dlq.disconnect().catch(() => {});
    },
  };
}
