import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

const ROOT = resolve(import.meta.dirname, '../..');
const SCRIPT = join(ROOT, 'scripts/postgres.sh');

const freePort = () => new Promise<number>((r) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => {
    const { port } = s.address() as { port: number };
    s.close(() => r(port));
  });
});

export const postgresScript = (cmd: 'start' | 'stop' | 'kill' | 'wipe', port: number, fresh = false) =>
  execFileSync('bash', [SCRIPT, cmd, ...(fresh ? ['--fresh'] : []), String(port)], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 120_000 });

/** Whether this run includes a suite that needs PostgreSQL (no filter: the whole suite does). */
function wantsPostgres(project: TestProject): boolean {
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern;
  if (!filters?.length) return true;
  return filters.some((f) => /serving|sdk|ledger|pg/.test(f));
}

/**
 * Gives the tests a real PostgreSQL server: LUTFLOW_TEST_PG_URL when set, else one started by
 * scripts/postgres.sh on a free port of its own and deleted afterwards. Each test makes its own database
 * on it (test/serving/pg.ts). Without a PostgreSQL server installed the run fails with what to install.
 */
export default async function setup(project: TestProject) {
  let url = process.env.LUTFLOW_TEST_PG_URL;
  let port: number | undefined;
  if (!url && !wantsPostgres(project)) {
    project.provide('postgresUrl', '');
    return;
  }
  if (!url) {
    port = await freePort();
    try {
      postgresScript('start', port, true);
    } catch (err) {
      throw new Error(`could not start the test PostgreSQL server (scripts/postgres.sh): ${(err as Error).message}. Install it (Debian: apt-get install postgresql) or set LUTFLOW_TEST_PG_URL.`);
    }
    url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  }
  process.env.LUTFLOW_TEST_PG_URL = url;
  project.provide('postgresUrl', url);
  return () => {
    if (port !== undefined) postgresScript('wipe', port);
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}
