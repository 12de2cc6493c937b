import { join } from 'node:path';
import { ROOT, TSX } from '../helpers/index.js';

/** The argv of the test's own OpenAI-compatible model server, in the local runtime's `{port}` form. */
export function modelServerCommand(...flags: string[]): string[] {
  return [process.execPath, '--import', TSX, join(ROOT, 'test/deployments/fixtures/model-server.ts'), '--port', '{port}', '--model', '{model}', ...flags];
}

/** Waits until `check` holds (polling), or fails with `what`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Whether a process group still has a live member. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
