import type { Admin } from 'kafkajs';
import { deadLetterTopic, TOPICS } from '../topics.js';

/** Every topic with its partition count; created explicitly (the test broker does not auto-create). */
export const TOPIC_SPECS: readonly { topic: string; numPartitions: number }[] = [
  { topic: TOPICS.telemetry, numPartitions: 6 },
  { topic: TOPICS.runRecords, numPartitions: 3 },
  { topic: TOPICS.costWindows, numPartitions: 3 },
  { topic: deadLetterTopic(TOPICS.telemetry), numPartitions: 1 },
  { topic: deadLetterTopic(TOPICS.runRecords), numPartitions: 1 },
];

/** Creates the topics that do not exist yet, single replica (one broker). */
export async function ensureTopics(admin: Admin, specs = TOPIC_SPECS, replicationFactor = 1): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.topic));
  if (missing.length) await admin.createTopics({ topics: missing.map((s) => ({ ...s, replicationFactor })), waitForLeaders: true });
}
