import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DeploymentSpec, ExitInfo, Runtime, RuntimeHandle, StopResult } from './types.js';

export interface LocalRuntimeOptions {
  /** How often the health endpoint is polled while starting (default 250 ms). */
  readonly healthIntervalMs?: number;
  /** Where each server's output goes (`<id>.log`); discarded when absent. */
  readonly logDir?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * The server's own secrets and settings (API keys, the ledger's database URL, webhook secrets) are not the model
 * server's business: it gets the environment without them.
 */
function childEnv(env: NodeJS.ProcessEnv, port: number): NodeJS.ProcessEnv {
  return { ...Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('LUTFLOW_'))), PORT: String(port) };
}

/** vLLM's OpenAI-compatible server, the default model server. */
export const DEFAULT_COMMAND = ['vllm', 'serve', '{model}', '--port', '{port}'];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Whether any process of the group still runs. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is gone already.
  }
}

/**
 * Model servers as local child processes, each the leader of a process group of its own, so that stopping one
 * stops whatever it started too (engine workers): SIGTERM to the group, SIGKILL after the grace period.
 */
export function localRuntime(opts: LocalRuntimeOptions = {}): Runtime {
  return {
    name: 'local',
    async start(spec: DeploymentSpec): Promise<RuntimeHandle> {
      const port = await freePort();
      const argv = (spec.command ?? DEFAULT_COMMAND).map((a) => a.replaceAll('{port}', String(port)).replaceAll('{model}', spec.model));
      let out: number | 'ignore' = 'ignore';
      if (opts.logDir) {
        mkdirSync(opts.logDir, { recursive: true });
        out = openSync(join(opts.logDir, `${spec.id}.log`), 'a');
      }
      const child = spawn(argv[0], argv.slice(1), {
        detached: true, stdio: ['ignore', out, out], env: childEnv(opts.env ?? process.env, port),
      });
      if (typeof out === 'number') closeSync(out);
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', (err) => reject(new Error(`cannot start '${argv[0]}': ${err.message}`)));
      });
      return handle(child, port, spec, opts.healthIntervalMs ?? 250);
    },
    async reclaim({ pgid }) {
      if (!pgid || !groupAlive(pgid)) return false;
      signalGroup(pgid, 'SIGKILL');
      while (groupAlive(pgid)) await sleep(5);
      return true;
    },
  };
}

function handle(child: ChildProcess, port: number, spec: DeploymentSpec, intervalMs: number): RuntimeHandle {
  const pgid = child.pid!;
  const endpoint = `http://127.0.0.1:${port}`;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let done: ExitInfo | undefined;
  void exited.then((e) => { done = e; });
  return {
    endpoint,
    pgid,
    exited,
    async ready(signal) {
      const url = `${endpoint}${spec.health_path ?? '/health'}`;
      while (!signal.aborted) {
        if (done) throw new Error(`the server exited before it was healthy (code ${done.code}, signal ${done.signal})`);
        try {
          const res = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(Math.max(1000, intervalMs * 4))]) });
          await res.arrayBuffer();
          if (res.ok) return;
        } catch {
          // Not listening yet, or slow: poll again.
        }
        await Promise.race([sleep(intervalMs), exited]);
      }
      throw signal.reason instanceof Error ? signal.reason : new Error('health wait aborted');
    },
    async stop({ graceMs }): Promise<StopResult> {
      if (!done) signalGroup(pgid, 'SIGTERM');
      const until = Date.now() + graceMs;
      while (Date.now() < until && (!done || groupAlive(pgid))) await (done ? sleep(10) : Promise.race([sleep(20), exited]));
      const forced = !done || groupAlive(pgid);
      if (forced) signalGroup(pgid, 'SIGKILL');
      const e = await exited;
      while (groupAlive(pgid)) await sleep(5);
      return { ...e, forced };
    },
  };
}
