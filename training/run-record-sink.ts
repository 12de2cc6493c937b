import type { Kafka } from 'kafkajs';
import { readSnapshot, latestVersion } from '../delta/index.js';
import type { FeatureBuilder } from '../features/index.js';
import { consumeContract, TOPICS, type ContractConsumer } from '../stream/index.js';
import { appendRunRecords, readRunRecords } from './runs-table.js';

export interface RunRecordSinkOptions {
  readonly kafka: Kafka;
  /** The local Delta table finished runs land in (the role Tableflow plays in production). */
  readonly table: string;
  /** The tenant history `/predict` reads; kept current with every finished run. */
  readonly builder?: FeatureBuilder;
  readonly groupId?: string;
}

export interface RunRecordSink {
  readonly consumer: ContractConsumer;
  readonly stats: { appended: number; skippedDuplicates: number; unfinished: number };
  stop(): Promise<void>;
}

/**
 * Consumes lut.pcpo-features: updates the tenant history and appends finished runs to the Delta table
 * exactly once per run id. Each partition's batch is one Delta commit carrying a `txn` (app id = group
 * and partition, version = last offset), written before the Kafka offset is committed: after a crash
 * the replayed offsets are recognised and skipped, and run ids already in the table are never added again.
 */
export async function runRecordSink(opts: RunRecordSinkOptions): Promise<RunRecordSink> {
  const groupId = opts.groupId ?? 'lutflow-run-records';
  const appId = (partition: number) => `${groupId}/${TOPICS.runRecords}/${partition}`;
  const seen = new Set<string>();
  // The last offset each partition committed to the table, read once: this sink is the only writer of its app ids.
  let committed: ReadonlyMap<string, number> = new Map();
  if (latestVersion(opts.table) >= 0) {
    for (const r of (await readRunRecords(opts.table)).records) seen.add(r.run_id);
    committed = (await readSnapshot(opts.table)).appVersions;
  }
  const done = new Map<number, number>();
  const stats = { appended: 0, skippedDuplicates: 0, unfinished: 0 };
  const consumer = await consumeContract({
    kafka: opts.kafka,
    topic: TOPICS.runRecords,
    groupId,
    handleBatch: async (messages, partition) => {
      const upTo = done.get(partition) ?? committed.get(appId(partition)) ?? -1;
      const fresh = messages.filter((m) => Number(m.offset) > upTo);
      if (!fresh.length) return;
      const finished = [];
      for (const m of fresh) {
        if (!m.value.outcome) { stats.unfinished++; continue; }
        opts.builder?.observe(m.value);
        if (seen.has(m.value.run_id)) { stats.skippedDuplicates++; continue; }
        seen.add(m.value.run_id);
        finished.push(m.value);
      }
      const last = Number(messages[messages.length - 1].offset);
      await appendRunRecords(opts.table, finished, { appId: appId(partition), appVersion: last, operation: 'STREAMING UPDATE' });
      done.set(partition, last);
      stats.appended += finished.length;
    },
  });
  return { consumer, stats, stop: () => consumer.stop() };
}

