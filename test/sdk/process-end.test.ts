import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TelemetryEvent } from '../../stream/index.js';
import { tempDir, TSX } from '../helpers/index.js';

/** Row 7 of issue 10: enforcement and GPU charges that do not depend on a free event loop. */
const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);
const events = (path: string): TelemetryEvent[] => (existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);

describe('a blocked main thread', () => {
  it('SELF_KILL: a GPU timer crossing the budget kills the process while its main thread is still blocked', () => {
    const r = spawnSync(process.execPath, ['--import', TSX, fixture('blocked-kill.ts')], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stdout).toContain('started');
    expect(r.signal).toBe('SIGKILL');
    expect(r.stdout).not.toContain('loop done');
  });
});

describe('GPU timers at process end', () => {
  it('a timer never stopped is charged up to process.exit()', () => {
    const path = join(tempDir(), 'events.jsonl');
    const r = spawnSync(process.execPath, ['--import', TSX, fixture('exit-charge.ts')], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, EVENTS: path, EXIT: 'exit' } });
    expect(r.status).toBe(0);
    const [e, ...rest] = events(path);
    expect(rest).toEqual([]);
    expect(e).toMatchObject({ provider: 'self_hosted', model: 'H100-SXM', outcome: 'ok', gpu: { count: 8 } });
    // At least the 300 ms before exit: 8 x $3.99 an hour.
    expect(e.cost_usd_micros).toBeGreaterThanOrEqual(Math.floor((0.3 * 8 * 3.99 * 1e6) / 3600));
  });

  it('a timer never stopped is charged when SIGTERM ends the process, which still ends by that signal', async () => {
    const path = join(tempDir(), 'events.jsonl');
    const child = spawn(process.execPath, ['--import', TSX, fixture('exit-charge.ts')], { env: { ...process.env, EVENTS: path, EXIT: 'signal' } });
    await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('started')) resolve(); }));
    child.kill('SIGTERM');
    const signal = await new Promise((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    expect(signal).toBe('SIGTERM');
    expect(events(path)).toHaveLength(1);
    expect(events(path)[0].cost_usd_micros).toBeGreaterThan(0);
  });
});

describe('a stream its consumer leaves without cancelling', () => {
  it('settles once the body is garbage-collected, not at its TTL', () => {
    const r = spawnSync(process.execPath, ['--expose-gc', '--import', TSX, fixture('abandoned-stream.ts')], { encoding: 'utf8', timeout: 30_000 });
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out.held).toBe(1);
    expect(out.open).toBe(0);
    expect(out.spentMicros).toBeGreaterThan(0);
  });
});
