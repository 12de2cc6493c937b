import type { Admin } from 'kafkajs';
import { deadLetterTopic, TOPICS } from '../topics.js';

export interface TopicSpec {
  readonly topic: string;
  readonly numPartitions: number;
  readonly configEntries?: readonly { name: string; value: string }[];
}

/** Every topic with its partition count; created explicitly (the test broker does not auto-create). */
export const TOPIC_SPECS: readonly TopicSpec[] = [
  { topic: TOPICS.telemetry, numPartitions: 6 },
  { topic: TOPICS.runRecords, numPartitions: 3 },
  { topic: TOPICS.costWindows, numPartitions: 3 },
  { topic: deadLetterTopic(TOPICS.telemetry), numPartitions: 1 },
  { topic: deadLetterTopic(TOPICS.runRecords), numPartitions: 1 },
];

/**
 * A job's state changelog: compacted (latest value per key), in small segments so that compaction keeps up
 * and a restart reads little more than the live state; tombstones of final windows go after a minute.
 */
export const changelogSpec = (topic: string): TopicSpec => ({
  topic,
  numPartitions: 1,
  configEntries: [
    { name: 'cleanup.policy', value: 'compact' },
    { name: 'segment.ms', value: '60000' },
    { name: 'segment.bytes', value: String(16 << 20) },
    { name: 'min.cleanable.dirty.ratio', value: '0.1' },
    { name: 'delete.retention.ms', value: '60000' },
  ],
});

/** Creates the topics that do not exist yet, single replica by default (one broker). */
export async function ensureTopics(
  admin: Admin,
  specs: readonly TopicSpec[] = TOPIC_SPECS,
  replicationFactor = 1,
): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.topic));
  if (!missing.length) return;
  try {
    await admin.createTopics({
      topics: missing.map((s) => ({ ...s, configEntries: s.configEntries?.map((c) => ({ ...c })), replicationFactor })),
      waitForLeaders: true,
    });
  } catch (err) {
    // Another process may create the same topic between the listing and the creation.
    if (
      (err as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS' &&
      !String((err as Error).message).includes('already exists')
    )
      throw err;
  }
}
