import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { inject } from 'vitest';
import { createKafka, TOPICS } from '../../stream/index.js';

export const brokers = () => {
  const b = inject('kafkaBrokers');
  if (!b) throw new Error('no test broker in this run: test/setup/kafka.ts starts one only for the suites under test/stream/');
  return b.split(',');
};
export const kafka = (clientId = 'test') => createKafka({ brokers: brokers(), clientId });

/** Reads every message of a topic from the beginning with a fresh group, until `until` holds or time runs out. */
export async function readTopic(topic: string, until: (msgs: { key?: string; value: string }[]) => boolean, timeoutMs = 20_000, client: Kafka = kafka('reader')) {
  const consumer = client.consumer({ groupId: `reader-${Math.random().toString(36).slice(2)}` });
  const msgs: { key?: string; value: string }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let done!: () => void;
  const finished = new Promise<void>((r) => { done = r; });
  await consumer.run({ eachMessage: async ({ message }) => { msgs.push({ key: message.key?.toString(), value: message.value?.toString() ?? '' }); if (until(msgs)) done(); } });
  await Promise.race([finished, new Promise((r) => setTimeout(r, timeoutMs))]);
  await consumer.disconnect();
  return msgs;
}

/** Keeps reading a topic (committed records only) into `records` until stopped; survives broker restarts. */
export function createReader(client: Kafka, topic: string = TOPICS.costWindows) {
  const records: { key?: string; value: string }[] = [];
  const consumer = client.consumer({ groupId: `reader-${randomUUID()}`, maxWaitTimeInMs: 200, retry: { retries: 100, maxRetryTime: 2000 } });
  const ready = (async () => {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => { records.push({ key: message.key?.toString(), value: message.value?.toString() ?? '' }); } });
  })();
  return { records, async stop() { await ready.catch(() => {}); await consumer.disconnect().catch(() => {}); } };
}

export const sameSums = (a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>) => a.size === b.size && [...b].every(([k, v]) => a.get(k) === v);

export const waitFor = async (cond: () => boolean, timeoutMs = 20_000) => {
  const until = Date.now() + timeoutMs;
  while (!cond() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  return cond();
};
