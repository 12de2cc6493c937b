import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, TSX } from '../helpers/index.js';

const running = new Set<ChildProcess>();

/** `lutflow serve ARGS` in a process of its own, as a user runs it; resolves with its address once it listens. */
export async function spawnServe(args: string[], env: Record<string, string>): Promise<{ base: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', TSX, join(ROOT, 'cli/main.ts'), 'serve', '--port', '0', ...args], {
    env: { ...process.env, LUTFLOW_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  running.add(child);
  let err = '';
  child.stderr!.on('data', (d) => { err += d; });
  for (let i = 0; i < 400; i++) {
    const m = /listening on (http:\/\/\S+)/.exec(err);
    if (m) return { base: m[1], child };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`lutflow serve did not start:\n${err}`);
}

/** SIGKILL, as a crash would; resolves once the process is gone. */
export function killHard(child: ChildProcess): Promise<void> {
  running.delete(child);
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** Kills whatever a test file left running (afterAll). */
export function killAll(): void {
  for (const c of running) c.kill('SIGKILL');
  running.clear();
}
