import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildServer, FileLedger } from '../../serving/index.js';
import { tempDir } from '../helpers/index.js';
import { faultyFs } from './faulty-fs.js';
import { ADMIN, KEYS, apiOf, apiPlan, modelDir, telemetryEvent } from './fixtures.js';

/** The file store's own guarantees (issue rows 3, 4 and 6): its journal, its disk. Store-agnostic rows: ledger.test.ts. */

const T0 = Date.parse('2026-11-10T12:00:00Z');
let app: FastifyInstance | undefined;
afterEach(async () => { await app?.close(); app = undefined; });

async function server(opts: Record<string, unknown> = {}) {
  const built = await buildServer({ modelDir: modelDir(), apiKeys: KEYS, watchModel: false, ...opts });
  app = built.app;
  return built;
}
const { post, spent, telemetry } = apiOf(() => app!);
const event = (over: Record<string, unknown> = {}) => telemetryEvent(T0, over);

describe('rows 3 and 4: the file store keeps event ids durably, and only once applied', () => {
  it('remembers ids across a kill (no close) and a restart', async () => {
    const dir = tempDir('lutflow-ledger-');
    const a = new FileLedger({ dir, clock: () => T0 });
    await a.create({ tenant_id: 't', limit_micros: 1e9 });
    const items = Array.from({ length: 100 }, (_, i) => ({ id: `id-${i}`, micros: 10, at: T0 }));
    expect(await a.charge('t', items)).toMatchObject({ charged: 100, duplicates: 0 });
    const b = new FileLedger({ dir, clock: () => T0 + 1000 });
    expect(await b.charge('t', items)).toMatchObject({ charged: 0, duplicates: 100 });
    expect((await b.status('t')).spent_micros).toBe(1000);
  });

  it('a batch refused for a full disk is charged when retried, once', async () => {
    const dir = tempDir('lutflow-ledger-');
    const fs = faultyFs(dir, 1 << 20);
    const l = new FileLedger({ dir, fs, clock: () => T0 });
    await l.create({ tenant_id: 't', limit_micros: 1e9 });
    const batch = Array.from({ length: 50 }, (_, i) => ({ id: `b-${i}`, micros: 7, at: T0 }));
    fs.capacity = 0;
    await expect(l.charge('t', batch)).rejects.toMatchObject({ code: 'LEDGER_UNAVAILABLE' });
    expect((await l.status('t')).spent_micros).toBe(0);
    fs.capacity = 1 << 20;
    expect(await l.charge('t', batch)).toMatchObject({ charged: 50, duplicates: 0 });
    expect(await l.charge('t', batch)).toMatchObject({ charged: 0, duplicates: 50 });
    expect((await new FileLedger({ dir, clock: () => T0 }).status('t')).spent_micros).toBe(350);
  });

});

describe('row 6: the journal survives a full disk', () => {
  it('answers 503 with Retry-After, stays unready until writes succeed, and never tears a record', async () => {
    const ledgerDir = tempDir('lutflow-ledger-');
    const fs = faultyFs(ledgerDir, 1 << 20);
    const ledger = new FileLedger({ dir: ledgerDir, fs, clock: () => T0 });
    await server({ ledger, clock: () => T0 });
    await post('/budgets', { tenant_id: 'acme', limit_usd: 100 }, ADMIN);
    await telemetry([event()]);
    // Leave room for part of one record: the next write tears, is cut back and refused.
    fs.capacity = readFileSync(join(ledgerDir, 'ledger.jsonl')).length + readFileSync(join(ledgerDir, 'ledger.snapshot.json')).length + 40;
    const refused = await telemetry([event()]);
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.json().error.code).toBe('LEDGER_UNAVAILABLE');
    const ready = await app!.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().ledger).toMatch(/ENOSPC/);
    const denied = await post('/preflight', { tenant_id: 'acme', plan: apiPlan({ requests: 1 }) });
    expect(denied.statusCode).toBe(503);
    expect(await spent()).toBe(1_000_000);
    fs.capacity = 1 << 20;
    expect((await app!.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    expect((await telemetry([event()])).json().accepted).toBe(1);
    await app!.close();
    app = undefined;
    const lines = readFileSync(join(ledgerDir, 'ledger.jsonl'), 'utf8').split('\n');
    expect(lines.at(-1)).toBe('');
    expect((await new FileLedger({ dir: ledgerDir }).status('acme')).spent_micros).toBe(2_000_000);
  });

  it('a failed fsync stops the ledger: every later answer is 503, not a guess', async () => {
    const dir = tempDir('lutflow-ledger-');
    const fs = faultyFs(dir, 1 << 20);
    const l = new FileLedger({ dir, fs, clock: () => T0 });
    await l.create({ tenant_id: 't', limit_micros: 1e9 });
    fs.syncFails = true;
    await expect(l.charge('t', [{ id: 'a', micros: 1, at: T0 }])).rejects.toMatchObject({ code: 'LEDGER_UNAVAILABLE' });
    fs.syncFails = false;
    await expect(l.status('t')).rejects.toMatchObject({ code: 'LEDGER_UNAVAILABLE' });
    expect((await l.health()).ready).toBe(false);
  });

  it('cuts a torn tail at start and logs it; refuses damage followed by good records', async () => {
    const dir = tempDir('lutflow-ledger-');
    const l = new FileLedger({ dir, clock: () => T0 });
    await l.create({ tenant_id: 't', limit_micros: 10 });
    await l.charge('t', [{ id: 'a', micros: 3, at: T0 }]);
    appendFileSync(join(dir, 'ledger.jsonl'), '{"op":"charge","tenant_id":"t","ite');
    const warnings: string[] = [];
    const log = { warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m) };
    expect((await new FileLedger({ dir, log, clock: () => T0 }).status('t')).spent_micros).toBe(3);
    expect(warnings.join()).toMatch(/torn tail of 35 bytes/);
    const good = readFileSync(join(dir, 'ledger.snapshot.json'), 'utf8');
    const l2 = new FileLedger({ dir, clock: () => T0 });
    await l2.charge('t', [{ id: 'b', micros: 1, at: T0 }]);
    await l2.charge('t', [{ id: 'c', micros: 1, at: T0 }]);
    const journal = readFileSync(join(dir, 'ledger.jsonl'), 'utf8');
    writeFileSync(join(dir, 'ledger.jsonl'), journal.replace('"micros":1', '"micros":9'));
    expect(() => new FileLedger({ dir })).toThrow(/record 1 .* is damaged and good records follow it/);
    expect(readFileSync(join(dir, 'ledger.snapshot.json'), 'utf8')).toBe(good);
  });
});

