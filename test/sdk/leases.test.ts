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

const worker = (env: Record<string, string>, fixture = 'lease-worker.ts') => {
  const child = spawn(process.execPath, ['--import', TSX, join(import.meta.dirname, 'fixtures', fixture)], {
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
  it('a call too big for what is left of the budget is refused, not stuck leasing and returning the remainder', async () => {
    await createBudget('initech', 0.001);
    const { Client, BudgetExceededError } = await import('../../sdk/index.js');
    const OpenAI = (await import('openai')).default;
    const c = new Client({ tenantId: 'initech', budgetUsd: 10, apiKey: ADMIN, logger: { warn() {} } }, { env: { LUTFLOW_ENDPOINT: endpoint } });
    const ai = c.wrap(new OpenAI({ apiKey: 'sk', baseURL: `${stub.url}/v1`, maxRetries: 0 }));
    const big = await ai.chat.completions.create({ model: 'gpt-4o', max_tokens: 1000, messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    expect(big).toBeInstanceOf(BudgetExceededError);
    expect(big.details.reason).toBe('lease');
    await c.close();
    expect((await budget('initech')).reserved_micros).toBe(0);
  }, 30_000);

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

  it('refuses a model its scope\'s policy forbids before the provider is called, in the process and at pre-flight', async () => {
    await createBudget('globex/research', 1);
    await app.inject({
      method: 'PATCH', url: '/budgets/globex%2Fresearch', payload: { model_policy: { deny: ['gpt-4o*'] } }, headers: { authorization: `Bearer ${ADMIN}` },
    });
    const { Client, MeteringError } = await import('../../sdk/index.js');
    const OpenAI = (await import('openai')).default;
    const c = new Client({ tenantId: 'globex/research', budgetUsd: 10, apiKey: GLOBEX, logger: { warn() {} } }, { env: { LUTFLOW_ENDPOINT: endpoint } });
    const ai = c.wrap(new OpenAI({ apiKey: 'sk', baseURL: `${stub.url}/v1`, maxRetries: 0 }));
    // The first call leases (and learns the policy) before anything reaches the provider.
    const sent = stub.requests.length;
    const refused = await ai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    expect(refused).toBeInstanceOf(MeteringError);
    expect(refused.code).toBe('MODEL_NOT_ALLOWED');
    expect(stub.requests.length).toBe(sent);
    await c.close();
    const pre = (await app.inject({
      method: 'POST', url: '/preflight', headers: { authorization: `Bearer ${GLOBEX}` },
      payload: { tenant_id: 'globex/research', plan: { kind: 'api', model: 'gpt-4o', batch_size: 1, requests: 1, prompt_tokens: 10, max_output_tokens: 10 } },
    })).json();
    expect(pre).toMatchObject({ decision: 'deny', policy: true, reason: expect.stringMatching(/not allowed/) });
  }, 60_000);

  it('a GPU timer in cloud mode is charged on the server tick by tick, so a process killed -9 has paid up to its last tick', async () => {
    await createBudget('globex/gpu', 100);
    const w = worker({ TENANT: 'globex/gpu', KEY: GLOBEX }, 'gpu-cloud.ts');
    const t0 = Date.now();
    const first = await w.line;
    expect((await budget('globex/gpu')).spent_micros).toBeGreaterThanOrEqual(first.spent_micros as number);
    await new Promise((r) => setTimeout(r, 1000));
    w.child.kill('SIGKILL');
    const ranMs = Date.now() - t0;
    await new Promise((r) => setTimeout(r, 300));
    const spent = (await budget('globex/gpu')).spent_micros;
    // 8 x H100 at the catalog's price: charged for more than the first second, never for more than it ran.
    const perMs = (first.spent_micros as number) / 1000;
    expect(spent).toBeGreaterThan((first.spent_micros as number) * 1.5);
    expect(spent).toBeLessThanOrEqual(Math.ceil(perMs * (ranMs + 1500)));
  }, 60_000);
});
