import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { filteredTo, freePortRun, ROOT, suitesIn } from './suites.js';

const SCRIPT = join(ROOT, 'scripts/kafka.sh');

/** The suites that talk to a broker: every test file under test/stream/ and test/flink/. */
const KAFKA_SUITES = suitesIn('stream', 'flink');

/** A free port whose next port (the broker's controller listener) is free too. */
export const freeBrokerPort = () => freePortRun(2);

export const brokerScript = (cmd: 'start' | 'stop' | 'kill' | 'wipe', port: number, fresh = false) =>
  execFileSync('bash', [SCRIPT, cmd, ...(fresh ? ['--fresh'] : []), String(port)], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 120_000 });

/** Whether this run includes a suite that needs the broker (no filter: the whole suite does). */
function wantsKafka(project: TestProject): boolean {
  return filteredTo(project, KAFKA_SUITES) ?? true;
}

/**
 * Gives the tests a real Kafka broker: KAFKA_BROKERS when set, else a single-node KRaft broker started by
 * scripts/kafka.sh from Maven Central jars on a free port of its own (so runs side by side never share
 * one), deleted afterwards. Runs without a Kafka suite start nothing. Without Java or Maven the run fails
 * with what to install.
 */
export default async function setup(project: TestProject) {
  let brokers = process.env.KAFKA_BROKERS;
  let port: number | undefined;
  if (!brokers && !wantsKafka(project)) {
    project.provide('kafkaBrokers', '');
    return;
  }
  if (!brokers) {
    port = await freeBrokerPort();
    try {
      brokerScript('start', port, true);
    } catch (err) {
      throw new Error(`could not start the test Kafka broker (scripts/kafka.sh): ${(err as Error).message}. It needs Java 17+ and Maven (Debian: apt-get install openjdk-17-jre-headless maven), or set KAFKA_BROKERS to a running broker.`);
    }
    brokers = `127.0.0.1:${port}`;
  }
  process.env.KAFKA_BROKERS = brokers;
  project.provide('kafkaBrokers', brokers);
  try {
    const { createKafka, ensureTopics } = await import('../../stream/index.js');
    const admin = createKafka({ brokers: brokers.split(','), clientId: 'test-setup' }).admin();
    await admin.connect();
    await ensureTopics(admin);
    await admin.disconnect();
  } catch (err) {
    if (port !== undefined) brokerScript('wipe', port);
    throw err;
  }
  return () => {
    if (port !== undefined) brokerScript('wipe', port);
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
  }
}
