import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { BudgetExceededError, BudgetStrategy, Client, type BudgetDetails } from '../../sdk/index.js';
import { buildServer } from '../../serving/index.js';
import { TSX } from '../helpers/index.js';
import { startProviderStub, type ProviderStub } from '../helpers/provider-stub.js';
import { ADMIN, KEYS, modelDir } from '../serving/fixtures.js';

let stub: ProviderStub;
beforeAll(async () => { stub = await startProviderStub(); });
afterAll(async () => { await stub.close(); });
const openai = () => new OpenAI({ apiKey: 'sk-test', baseURL: `${stub.url}/v1`, maxRetries: 0 });
const ask = { model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'Hi' }], max_tokens: 1000 };

describe('enforcement under concurrency', () => {
  it('200 concurrent calls against a budget that fits 50: 50 go through, 150 are refused, spend never passes the limit', async () => {
    // Worst case of each call: prompt bound 8 tokens (o200k: 'user' 1 + 'Hi' 1 + 3 framing + 3 priming)
    // x $2.50 + 1,000 x $10 per million = 20 + 10,000 µ$.
    const worst = 10_020;
    const c = new Client({ tenantId: 'acme', budgetUsd: (50 * worst) / 1e6 });
    stub.setDefault('openai', { usage: { input: 8, output: 1000 }, delayMs: 20 });
    const ai = c.wrap(openai());
    const before = stub.requests.length;
    const results = await Promise.allSettled(Array.from({ length: 200 }, () => ai.chat.completions.create(ask)));
    stub.setDefault('openai', { usage: { input: 100, output: 50 }, delayMs: 0 });
    const refused = results.filter((r) => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(50);
    expect(refused).toHaveLength(150);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(BudgetExceededError);
    expect(stub.requests.length - before).toBe(50);
    expect(Math.round(c.accumulatedCostUsd * 1e6)).toBe(50 * worst);
    expect(c.accumulatedCostUsd).toBeLessThanOrEqual(c.options.budgetUsd);
    expect(c.openReservations).toBe(0);
  });
});

describe('strategies', () => {
  it('RAISE_ERROR: the error carries spent, limit and attempted cost', async () => {
    const c = new Client({ tenantId: 'acme', budgetUsd: 0.005 });
    const err = await c.wrap(openai()).chat.completions.create(ask).catch((e) => e);
    expect(err).toBeInstanceOf(BudgetExceededError);
    expect(err).toMatchObject({ code: 'BUDGET_EXCEEDED', spentUsd: 0, limitUsd: 0.005, attemptedUsd: 0.01002 });
    expect(err.details).toMatchObject({ tenantId: 'acme', reason: 'reservation', provider: 'openai', model: 'gpt-4o' });
  });

  it('WARN_ONLY: lets calls through and warns once per crossing', async () => {
    const warnings: string[] = [];
    const c = new Client({ tenantId: 'acme', budgetUsd: 0.011, onBudgetExceeded: BudgetStrategy.WARN_ONLY, logger: { warn: (m) => warnings.push(m) } });
    const ai = c.wrap(openai());
    for (let i = 0; i < 5; i++) await ai.chat.completions.create(ask);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/budget of tenant 'acme' exceeded/);
    expect(c.accumulatedCostUsd).toBeGreaterThan(0);
  });

  it('CALLBACK: sync or async, receives the same details, and decides', async () => {
    const seen: BudgetDetails[] = [];
    const allow = new Client({ tenantId: 'acme', budgetUsd: 0.001, onBudgetExceeded: BudgetStrategy.CALLBACK, onBudgetCallback: async (d) => { seen.push(d); return true; } });
    await allow.wrap(openai()).chat.completions.create(ask);
    expect(seen[0]).toMatchObject({ tenantId: 'acme', limitUsd: 0.001, attemptedUsd: 0.01002, reason: 'reservation' });
    const deny = new Client({ tenantId: 'acme', budgetUsd: 0.001, onBudgetExceeded: BudgetStrategy.CALLBACK, onBudgetCallback: (d) => { seen.push(d); } });
    await expect(deny.wrap(openai()).chat.completions.create(ask)).rejects.toThrow(BudgetExceededError);
    expect(seen).toHaveLength(2);
  });

  it('SELF_KILL: the process dies by SIGKILL before the call returns', () => {
    const r = spawnSync(process.execPath, ['--import', TSX, join(import.meta.dirname, 'fixtures/self-kill.ts')], { env: { ...process.env, STUB_URL: stub.url }, encoding: 'utf8', timeout: 30_000 });
    expect(r.signal).toBe('SIGKILL');
    expect(r.stdout).toContain('calling');
    expect(r.stdout).not.toContain('survived');
  });

  it('refuses bad options with the field named', () => {
    expect(() => new Client({ tenantId: '', budgetUsd: 1 })).toThrow(/tenantId: is required/);
    expect(() => new Client({ tenantId: 'a', budgetUsd: -1 })).toThrow(/budgetUsd/);
    expect(() => new Client({ tenantId: 'a', budgetUsd: 1, onBudgetExceeded: BudgetStrategy.CALLBACK })).toThrow(/onBudgetCallback/);
    expect(() => new Client({ tenantId: 'a', budgetUsd: 1, pricingMode: 'GPU_TIME' })).toThrow(/gpuType/);
    expect(() => new Client({ tenantId: 'a', budgetUsd: 1, pricingMode: 'GPU_TIME', gpuType: 'H1000' })).toThrow(/closest known/);
  });
});

describe('GPU timer', () => {
  it('prices elapsed time at $/GPU-hour x count, and acts on a crossing mid-run', async () => {
    const seen: { details: BudgetDetails; chargedUsd: number; running: boolean }[] = [];
    // 8 x H100 at $3.99: $0.00887 a second; the budget lasts about a quarter of a second.
    const c = new Client({ tenantId: 'acme', budgetUsd: 0.002, onBudgetExceeded: BudgetStrategy.CALLBACK, onBudgetCallback: (d) => { seen.push({ details: d, chargedUsd: c.accumulatedCostUsd, running: timer.running }); }, gpuTickMs: 10 });
    const timer = c.startGpuTimer({ gpuType: 'H100', gpuCount: 8 });
    for (let i = 0; i < 2000 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(seen).toHaveLength(1);
    expect(seen[0].running).toBe(true);
    expect(seen[0].details.reason).toBe('gpu_timer');
    expect(seen[0].chargedUsd).toBeGreaterThan(0.002);
    const cost = c.stopGpuTimer();
    expect(timer.running).toBe(false);
    expect(cost).toBeCloseTo((Math.floor(timer.elapsedMs) / 1000 / 3600) * 8 * 3.99, 6);
    expect(c.accumulatedCostUsd).toBeCloseTo(cost, 9);
  });
});

describe('pre-flight', () => {
  it('asks a local model and refuses a run predicted to overrun, before anything is spent', async () => {
    const dir = modelDir();
    const plan = { kind: 'self_hosted' as const, model: 'llama-3-70b', gpu_type: 'H100', gpu_count: 4, framework: 'vllm', batch_size: 16, requests: 6400, prompt_tokens: 512, max_output_tokens: 256 };
    const rich = new Client({ tenantId: 'acme', budgetUsd: 100_000, preflightModelDir: dir });
    expect((await rich.preflight({ plan })).decision).toBe('allow');
    const poor = new Client({ tenantId: 'acme', budgetUsd: 0.01, preflightModelDir: dir });
    const err = await poor.preflight({ plan }).catch((e) => e);
    expect(err).toBeInstanceOf(BudgetExceededError);
    expect(err.details.reason).toBe('preflight');
    expect(poor.accumulatedCostUsd).toBe(0);
    const warned = new Client({ tenantId: 'acme', budgetUsd: 0.01, preflightModelDir: dir, onBudgetExceeded: BudgetStrategy.WARN_ONLY, logger: { warn: () => {} } });
    expect(await warned.preflight({ plan })).toMatchObject({ decision: 'deny', overridden: true, source: 'local' });
  });

  it('asks the serving API when an endpoint is configured', async () => {
    const { app } = await buildServer({ modelDir: modelDir(), apiKeys: KEYS, watchModel: false });
    try {
      const endpoint = await app.listen({ host: '127.0.0.1', port: 0 });
      await app.inject({ method: 'POST', url: '/budgets', payload: { tenant_id: 'acme', limit_usd: 0.01 }, headers: { authorization: `Bearer ${ADMIN}` } });
      const c = new Client({ tenantId: 'acme', budgetUsd: 1000, apiKey: ADMIN, onBudgetExceeded: BudgetStrategy.WARN_ONLY, logger: { warn: () => {} } }, { env: { LUTFLOW_ENDPOINT: endpoint } });
      const r = await c.preflight({ plan: { kind: 'self_hosted', model: 'llama-3-70b', gpu_type: 'H100', gpu_count: 4, framework: 'vllm', batch_size: 16, requests: 6400, prompt_tokens: 512, max_output_tokens: 256 } });
      expect(r).toMatchObject({ decision: 'deny', source: 'server', overridden: true, remainingUsd: 0.01 });
      expect(r.predictedP90Usd).toBeGreaterThan(0.01);
    } finally {
      await app.close();
    }
  });
});

describe('reservations', () => {
  it('releases a reservation whose stream is never read, after its TTL', async () => {
    const c = new Client({ tenantId: 'acme', budgetUsd: 1, reservationTtlMs: 50 });
    const stream = await c.wrap(openai()).chat.completions.create({ ...ask, stream: true });
    expect(c.openReservations).toBe(1);
    for (let i = 0; i < 100 && c.openReservations > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(c.openReservations).toBe(0);
    expect(c.reservedUsd).toBe(0);
    void stream;
  });
});
