import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { filteredTo, freePortRun, ROOT, suitesIn } from './suites.js';

const SCRIPT = join(ROOT, 'scripts/flink.sh');

/** The suites that need the cluster: every test file under test/flink/. */
const FLINK_SUITES = suitesIn('flink');

export const flinkScript = (cmd: 'start' | 'stop' | 'wipe' | 'kill-taskmanager' | 'start-taskmanager', port: number, fresh = false) =>
  execFileSync('bash', [SCRIPT, cmd, ...(fresh ? ['--fresh'] : []), String(port)], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });

/** A free port P with P+1 and P+2 free too (the cluster's REST, gateway and RPC ports). */
const freePorts = () => freePortRun(3);

function wantsFlink(project: TestProject): boolean {
  return filteredTo(project, FLINK_SUITES) ?? FLINK_SUITES.length > 0;
}

/**
 * Gives the Flink suites a real local Apache Flink cluster (JobManager, TaskManager, SQL Gateway) started by
 * scripts/flink.sh on free ports (REST on P, the gateway on P+1, RPC on P+2) and deleted afterwards; the jobs
 * reach the suite's Kafka broker (test/setup/kafka.ts runs first). LUTFLOW_FLINK_GATEWAY and LUTFLOW_FLINK_REST
 * name a running cluster instead. Runs without a Flink suite start nothing.
 */
export default async function setup(project: TestProject) {
  let gateway = process.env.LUTFLOW_FLINK_GATEWAY;
  let rest = process.env.LUTFLOW_FLINK_REST;
  let port: number | undefined;
  if (!gateway && !wantsFlink(project)) {
    project.provide('flink', { gateway: '', rest: '', port: 0 });
    return;
  }
  if (!gateway) {
    port = await freePorts();
    try {
      flinkScript('start', port, true);
    } catch (err) {
      flinkScript('wipe', port);
      throw new Error(`could not start the test Flink cluster (scripts/flink.sh): ${(err as Error).message}. It needs Java 17+, Maven and python3 with pip, or set LUTFLOW_FLINK_GATEWAY and LUTFLOW_FLINK_REST to a running cluster.`);
    }
    rest = `http://127.0.0.1:${port}`;
    gateway = `http://127.0.0.1:${port + 1}`;
  }
  project.provide('flink', { gateway, rest: rest ?? '', port: port ?? 0 });
  return () => {
    if (port !== undefined) flinkScript('wipe', port);
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    flink: { gateway: string; rest: string; port: number };
  }
}
