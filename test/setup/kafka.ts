import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

const ROOT = resolve(import.meta.dirname, '../..');
export const TEST_BROKER_PORT = 19092;

/**
 * Gives the tests a real Kafka broker: KAFKA_BROKERS when set, else a single-node KRaft broker started
 * by scripts/kafka.sh from Maven Central jars (and stopped afterwards). Without Java or Maven the run
 * fails with what to install.
 */
export default async function setup(project: TestProject) {
  let brokers = process.env.KAFKA_BROKERS;
  let started = false;
  if (!brokers) {
    try {
      execFileSync('bash', [join(ROOT, 'scripts/kafka.sh'), 'start', '--fresh', String(TEST_BROKER_PORT)], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 300_000 });
    } catch (err) {
      throw new Error(`could not start the test Kafka broker (scripts/kafka.sh): ${(err as Error).message}. It needs Java 17+ and Maven (Debian: apt-get install openjdk-17-jre-headless maven), or set KAFKA_BROKERS to a running broker.`);
    }
    brokers = `127.0.0.1:${TEST_BROKER_PORT}`;
    started = true;
  }
  process.env.KAFKA_BROKERS = brokers;
  project.provide('kafkaBrokers', brokers);
  const { createKafka, ensureTopics } = await import('../../stream/index.js');
  const admin = createKafka({ brokers: brokers.split(','), clientId: 'test-setup' }).admin();
  await admin.connect();
  await ensureTopics(admin);
  await admin.disconnect();
  return () => {
    if (started) execFileSync('bash', [join(ROOT, 'scripts/kafka.sh'), 'stop', String(TEST_BROKER_PORT)], { stdio: 'inherit' });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
  }
}
