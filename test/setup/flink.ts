import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { createServer } from 'node:net';

const ROOT = resolve(import.meta.dirname, '../..');
const SCRIPT = join(ROOT, 'scripts/flink.sh');
const DIR = join(ROOT, 'test/flink');

/** The suites that need the cluster: every test file under test/flink/. */
const FLINK_SUITES = existsSync(DIR) ? readdirSync(DIR).filter((f) => f.endsWith('.test.ts')).map((f) => `test/flink/${f}`) : [];

export const flinkScript = (cmd: 'start' | 'stop' | 'wipe' | 'kill-taskmanager' | 'start-taskmanager', port: number, fresh = false) =>
  execFileSync('bash', [SCRIPT, cmd, ...(fresh ? ['--fresh'] : []), String(port)], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });

const isFree = (port: number) => new Promise<boolean>((r) => {
  const s = createServer();
  s.once('error', () => r(false));
  s.listen(port, '127.0.0.1', () => s.close(() => r(true)));
});

/** A free port P with P+1 and P+2 free too (the cluster's REST, gateway and RPC ports). */
async function freePorts(): Promise<number> {
  for (;;) {
    const p = 20_000 + Math.floor(Math.random() * 20_000);
    if ((await isFree(p)) && (await isFree(p + 1)) && (await isFree(p + 2))) return p;
  }
}

function wantsFlink(project: TestProject): boolean {
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern;
  if (!filters?.length) return FLINK_SUITES.length > 0;
  return filters.some((f) => {
    const rel = f.startsWith('/') ? f.slice(ROOT.length + 1) : f.replace(/^\.\//, '');
    return FLINK_SUITES.some((s) => s.includes(rel) || (rel.length > 0 && rel.startsWith(s)));
  });
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
