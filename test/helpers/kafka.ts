import { inject } from 'vitest';
import { createKafka } from '../../stream/index.js';

export const brokers = () => inject('kafkaBrokers').split(',');
export const kafka = (clientId = 'test') => createKafka({ brokers: brokers(), clientId });

/** Reads every message of a topic from the beginning with a fresh group, until `until` holds or time runs out. */
export async function readTopic(topic: string, until: (msgs: { key?: string; value: string }[]) => boolean, timeoutMs = 20_000) {
  const consumer = kafka('reader').consumer({ groupId: `reader-${Math.random().toString(36).slice(2)}` });
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

export const waitFor = async (cond: () => boolean, timeoutMs = 20_000) => {
  const until = Date.now() + timeoutMs;
  while (!cond() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  return cond();
};
