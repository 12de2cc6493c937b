import type { Kafka, Producer } from 'kafkajs';
import { CompressionTypes } from 'kafkajs';
import { TOPICS } from '../topics.js';
import { CostWindowAggregator, type WindowOptions } from '../windows/aggregator.js';
import type { CostWindow } from '../windows/contract.js';
import { consumeContract, type ContractConsumer } from './consume.js';

export interface KafkaCostWindowsOptions extends Omit<WindowOptions, 'emit'> {
  readonly kafka: Kafka;
  readonly groupId?: string;
}

/**
 * The cost-window job on Kafka: lut.telemetry in, lut.cost-windows out. It commits a partition's offset
 * only below the oldest event a held window still needs, so a restarted job replays those events and
 * rebuilds each window whole; event ids dedupe the overlap, and a window is never counted twice.
 */
export async function runKafkaCostWindows(opts: KafkaCostWindowsOptions): Promise<{ aggregator: CostWindowAggregator; consumer: ContractConsumer; stop(): Promise<void> }> {
  const producer: Producer = opts.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  let pending: CostWindow[] = [];
  const aggregator = new CostWindowAggregator({ ...opts, emit: (w) => pending.push(w) });
  const consumer = await consumeContract({
    kafka: opts.kafka,
    topic: TOPICS.telemetry,
    groupId: opts.groupId ?? 'lutflow-cost-windows',
    handleBatch: async (messages) => {
      for (const m of messages) aggregator.add(m.value, { partition: m.partition, offset: m.offset });
      if (pending.length) {
        const out = pending;
        pending = [];
        await producer.send({ topic: TOPICS.costWindows, compression: CompressionTypes.Snappy, messages: out.map((w) => ({ key: `${w.scope}/${w.key}/${w.window_start}`, value: JSON.stringify(w) })) });
      }
    },
    commitOffset: (partition, last) => aggregator.heldPositions().get(partition) ?? last + 1n,
  });
  return {
    aggregator,
    consumer,
    async stop() {
      await consumer.stop();
      await producer.disconnect().catch(() => {});
    },
  };
}
