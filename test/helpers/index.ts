import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const ROOT = resolve(import.meta.dirname, '../..');
/** The real public data beside the project (read by path, never copied). */
export const SHARED_DATA = resolve(ROOT, '../shared/data');
export const PYTHON = join(ROOT, '.venv/bin/python');

export function sharedFile(rel: string): string {
  const p = join(SHARED_DATA, rel);
  if (!existsSync(p)) throw new Error(`missing ${p}: these tests read the public data in ../shared/data (see its SOURCES.md)`);
  return p;
}

export function tempDir(prefix = 'lutflow-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Runs the reference Python side; fails with what to install when the environment is missing. */
export function python(args: string[]): string {
  if (!existsSync(PYTHON)) throw new Error(`no project Python environment at ${PYTHON}: run 'bash scripts/setup.sh' (needs python3 with venv) to install deltalake and pyarrow`);
  return execFileSync(PYTHON, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
}

/** `node --import` value that runs TypeScript sources from any working directory. */
export const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

/** Runs the CLI from source, as a user would run `lutflow`. */
export function cli(args: string[], opts: { cwd?: string } = {}): { code: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(process.execPath, ['--import', TSX, join(ROOT, 'cli/main.ts'), ...args], { cwd: opts.cwd ?? ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr: '' };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { code: e.status, stdout: e.stdout, stderr: e.stderr };
  }
}
