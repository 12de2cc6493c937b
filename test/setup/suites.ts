import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

export const ROOT = resolve(import.meta.dirname, '../..');

/** Every test file under the given folders of test/, as `test/DIR/FILE`. */
export function suitesIn(...dirs: string[]): string[] {
  return dirs.flatMap((d) => existsSync(join(ROOT, 'test', d)) ? readdirSync(join(ROOT, 'test', d)).filter((f) => f.endsWith('.test.ts')).map((f) => `test/${d}/${f}`) : []);
}

/** Whether this run, filtered by file names, includes one of `suites`; `undefined` when it is not filtered. */
export function filteredTo(project: TestProject, suites: readonly string[]): boolean | undefined {
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern;
  if (!filters?.length) return undefined;
  return filters.some((f) => {
    const rel = f.startsWith('/') ? f.slice(ROOT.length + 1) : f.replace(/^\.\//, '');
    return suites.some((s) => s.includes(rel) || (rel.length > 0 && rel.startsWith(s)));
  });
}

const isFree = (port: number) => new Promise<boolean>((r) => {
  const s = createServer();
  s.once('error', () => r(false));
  s.listen(port, '127.0.0.1', () => s.close(() => r(true)));
});

/** A free port P with the next `count - 1` ports free too, between 20000 and 40000. */
export async function freePortRun(count: number): Promise<number> {
  for (;;) {
    const p = 20_000 + Math.floor(Math.random() * 20_000);
    let free = true;
    for (let i = 0; i < count && free; i++) free = await isFree(p + i);
    if (free) return p;
  }
}
