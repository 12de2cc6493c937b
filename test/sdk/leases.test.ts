import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../serving/index.js';
import { tempDir, TSX } from '../helpers/index.js';
import { startProviderStub, type ProviderStub } from '../helpers/provider-stub.js';
import { ACME, ADMIN, GLOBEX, KEYS, modelDir } from '../serving/fixtures.js';

/**
 * Issue 13: SDK processes in cloud mode share one server-side budget through leases. Real processes, the real
 * openai SDK against the provider stub, a real Lutflow server with its file ledger.
 */
let stub: ProviderStub;
let app: FastifyInstance;
let endpoint: string;
beforeAll(async () => {
  stub = await startProviderStub();
  ({ app } = await buildServer({ modelDir: modelDir(), apiKeys: KEYS, watchModel: false, ledgerDir: tempDir('lutflow-lease-ledger-') }));
  endpoint = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => { await app.close(); await stub.close(); });

const worker = (env: Record<string, string>) => {
  const child = spawn(process.execPath, ['--import', TSX, join(import.meta.dirname, 'fixtures/lease-worker.ts')], {
    env: { ...process.env, ENDPOINT: endpoint, STUB: stub.url, KEY: ACME, ...env }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = new Promise<Record<string, number | boolean>>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (l) => resolve(JSON.parse(l)));
    child.once('exit', (code) => reject(new Error(`worker exited ${code} before answering`)));
  });
  return { child, line };
};
const budget = async (tenant: string) => (await app.inject({ method: 'GET', url: `/budgets/${encodeURIComponent(tenant)}`, headers: { authorization: `Bearer ${ADMIN}` } })).json();
const createBudget = (tenant: string, usd: number) => app.inject({ method: 'POST', url: '/budgets', payload: { tenant_id: tenant, limit_usd: usd }, headers: { authorization: `Bearer ${ADMIN}` } });

describe('SDK budget leases across processes', () => {
  it('4 processes x 200 concurrent calls on one budget: never more than it, and at least 90 % of it used', async () => {
    // Each call costs 750 µ$ at the stub's usage (100 in, 50 out on gpt-4o): the budget fits 400 of the 800 asked.
    await createBudget('acme', 0.3);
    const runs = await Promise.all(Array.from({ length: 4 }, () => worker({ TENANT: 'acme', CALLS: '200' }).line));
    const b = await budget('acme');
    const ok = runs.reduce((a, r) => a + (r.ok as number), 0);
    expect(b.spent_micros).toBeLessThanOrEqual(300_000);
    expect(b.spent_micros).toBeGreaterThanOrEqual(270_000);
    expect(b.spent_micros).toBe(ok * 750);
    expect(b.spent_micros).toBe(runs.reduce((a, r) => a + (r.spent_micros as number), 0));
    expect(b).toMatchObject({ reserved_micros: 0, open_reservations: 0 });
    expect(runs.reduce((a, r) => a + (r.refused as number), 0)).toBe(800 - ok);
    if (process.env.LEASE_VERBOSE) console.log({ runs, spent: b.spent_micros });
  }, 120_000);

  it('a process killed -9 holding a lease: the lease goes back within its expiry, its reported spend stays', async () => {
    await createBudget('globex', 1);
    const w = worker({ TENANT: 'globex', KEY: GLOBEX, HOLD: '1', LEASE_TTL: '2' });
    const held = await w.line;
    expect(held.holding).toBe(true);
    const before = await budget('globex');
    expect(before.reserved_micros).toBeGreaterThan(0);
    w.child.kill('SIGKILL');
    const t0 = Date.now();
    let after = before;
    while (after.reserved_micros > 0 && Date.now() - t0 < 10_000) {
      await new Promise((r) => setTimeout(r, 100));
      after = await budget('globex');
    }
    expect(after.reserved_micros).toBe(0);
    expect(Date.now() - t0).toBeLessThan(2_000 + 1_000);
    expect(after.spent_micros).toBe(held.spent_micros);
  }, 60_000);
});
