import type { Consumer, Kafka, Producer } from 'kafkajs';
import type { DeadLetter } from '../contracts/dead-letter.js';
import { toDeadLetter } from '../contracts/dead-letters.js';
import { decode, type TopicTypes } from '../contracts/validate.js';
import { deadLetterTopic, type ContractTopic } from '../topics.js';
import { chunkMessages } from './chunks.js';

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
  /**
   * Valid records of one partition batch, in offset order, and the batch's last offset (invalid records
   * included): called for every batch, even one whose records all went to the dead-letter topic.
   */
  readonly handleBatch: (
    messages: ConsumedMessage<TopicTypes[K]>[],
    partition: number,
    lastOffset: bigint,
  ) => Promise<void>;
  /**
   * The offset to commit for a partition after a batch (the next one to read). By default everything
   * handled; stateful consumers commit less (or nothing: undefined), so a restart replays what they need.
   */
  readonly commitOffset?: (partition: number, lastHandled: bigint) => bigint | undefined;
  readonly fromBeginning?: boolean;
  /**
   * For a reader that commits nothing: each partition starts at its first record written at or after this
   * time (epoch ms), and after the group is joined again (a rebalance, a session that timed out) goes on from
   * the record after the last one handled, instead of from the end. A partition added later is read from its
   * beginning (with `fromBeginning`, the default).
   */
  readonly startAt?: number;
  /**
   * Invalid records are handed here instead of to `<topic>.dlq`: for readers that only show what they read,
   * of which there may be many (each replica would dead-letter the same record again).
   */
  readonly onInvalid?: (letters: readonly DeadLetter[]) => void;
}

export interface ContractConsumer {
  readonly consumer: Consumer;
  readonly stats: { valid: number; deadLettered: number };
  /** Rejects when the consumer stopped for good (its error); resolves after `stop()`. */
  readonly done: Promise<void>;
  /** Sends dead letters for `<topic>.dlq` in size-bounded batches; resolves once the broker has them. */
  deadLetter(letters: readonly DeadLetter[]): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Consumes a contract topic in a consumer group: every record is validated; a bad one goes to
 * `<topic>.dlq` with its reason, position, size, hash and original bytes (as many as fit one record), in
 * batches bounded in bytes, before its batch counts as handled. Offsets are committed by hand after each
 * batch is handled. Anything that fails (the handler, the dead-letter send, the broker for longer than
 * the retries) ends the consumer: `done` rejects, so the process can exit or start again, never idle on.
 */
export async function consumeContract<K extends ContractTopic>(
  opts: ContractConsumerOptions<K>,
): Promise<ContractConsumer> {
  const consumer = opts.kafka.consumer({
    groupId: opts.groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: 500,
    retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2000, restartOnFailure: async () => false },
  });
  const dlq: Producer | undefined = opts.onInvalid ? undefined : opts.kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  const stats = { valid: 0, deadLettered: 0 };
  let stopped = false;
  let fail!: (err: unknown) => void;
  let finish!: () => void;
  const done = new Promise<void>((resolve, reject) => {
    fail = reject;
    finish = resolve;
  });
  done.catch(() => {});
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!stopped) fail(payload.error);
  });
  const deadLetter = async (letters: readonly DeadLetter[]) => {
    if (!dlq) return opts.onInvalid!(letters);
    const messages = letters.map((l) => ({ key: l.key ?? null, value: JSON.stringify(l) }));
    for (const chunk of chunkMessages(messages))
      await dlq.send({ topic: deadLetterTopic(opts.topic), messages: chunk });
    stats.deadLettered += letters.length;
  };
  const disconnect = async () => {
    stopped = true;
    await consumer.disconnect().catch(() => {});
    await dlq?.disconnect().catch(() => {});
  };
  // Where a reader that commits nothing goes on from, per partition, at every join of its group.
  const resume = new Map<number, string>();
  const run = () => consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch, heartbeat }) => {
      const valid: ConsumedMessage<TopicTypes[K]>[] = [];
      const dead: DeadLetter[] = [];
      for (const m of batch.messages) {
        const bytes = m.value ?? Buffer.alloc(0);
        const key = m.key?.toString('utf8');
        const v = decode(opts.topic, bytes);
        if (v.ok) valid.push({ value: v.value, key, partition: batch.partition, offset: BigInt(m.offset) });
        else
          dead.push(
            toDeadLetter({ topic: opts.topic, bytes, key, partition: batch.partition, offset: m.offset }, v.errors),
          );
      }
      if (dead.length) await deadLetter(dead);
      const last = BigInt(batch.lastOffset());
      await opts.handleBatch(valid, batch.partition, last);
      stats.valid += valid.length;
      if (opts.startAt !== undefined) resume.set(batch.partition, (last + 1n).toString());
      const next = opts.commitOffset ? opts.commitOffset(batch.partition, last) : last + 1n;
      if (next !== undefined)
        await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next.toString() }]);
      await heartbeat();
    },
  });
  try {
    if (opts.startAt !== undefined) {
      for (const p of await offsetsAt(opts.kafka, opts.topic, opts.startAt)) resume.set(p.partition, p.offset);
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        for (const partition of payload.memberAssignment[opts.topic] ?? []) {
          const offset = resume.get(partition);
          if (offset !== undefined) consumer.seek({ topic: opts.topic, partition, offset });
        }
      });
    }
    await consumer.connect();
    await dlq?.connect();
    await consumer.subscribe({ topic: opts.topic, fromBeginning: opts.fromBeginning ?? true });
    await run();
  } catch (err) {
    // Nothing connected may stay behind: open sockets would keep the process alive.
    await disconnect();
    throw err;
  }
  return {
    consumer,
    stats,
    done,
    deadLetter,
    async stop() {
      await disconnect();
      finish();
    },
  };
}

async function offsetsAt(kafka: Kafka, topic: string, at: number): Promise<{ partition: number; offset: string }[]> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    return await admin.fetchTopicOffsetsByTimestamp(topic, at);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
