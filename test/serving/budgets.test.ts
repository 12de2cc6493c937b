import { appendFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildServer, FileLedger } from '../../serving/index.js';
import { tempDir } from '../helpers/index.js';
import { ACME, ADMIN, KEYS, apiPlan, auth, gpuPlan, modelDir } from './fixtures.js';

let app: FastifyInstance | undefined;
afterEach(async () => { await app?.close(); app = undefined; });

async function server(opts: Record<string, unknown> = {}) {
  const built = await buildServer({ modelDir: (opts.modelDir as string) ?? modelDir(), apiKeys: KEYS, watchModel: false, ...opts });
  app = built.app;
  return built;
}
const post = (url: string, payload: unknown, key = ACME) => app!.inject({ method: 'POST', url, payload: payload as object, headers: auth(key) });
const createBudget = (payload: unknown) => post('/budgets', payload, ADMIN);
const get = (url: string, key = ACME) => app!.inject({ method: 'GET', url, headers: auth(key) });

describe('budgets', () => {
  it('create, read and update, in exact micro-dollars', async () => {
    await server();
    const created = await createBudget({ tenant_id: 'acme', limit_usd: 12.345678, window: 'daily', reset_hour_utc: 6, alert_threshold: 0.5 });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ tenant_id: 'acme', limit_micros: 12_345_678, spent_micros: 0, remaining_micros: 12_345_678, window: 'daily', reset_hour_utc: 6, alert: false });
    expect(created.json().window_start).toMatch(/T06:00:00.000Z$/);
    const patched = await app!.inject({ method: 'PATCH', url: '/budgets/acme', payload: { limit_usd: 20 }, headers: auth(ADMIN) });
    expect(patched.json()).toMatchObject({ limit_micros: 20_000_000, window: 'daily' });
    expect((await get('/budgets/acme')).json().limit_usd).toBe(20);
    expect((await app!.inject({ method: 'PATCH', url: '/budgets/acme', payload: {}, headers: auth(ADMIN) })).statusCode).toBe(400);
  });

  it('preflight reserves the predicted P90 on allow; settle replaces it by the actual cost; release frees it', async () => {
    await server();
    await createBudget({ tenant_id: 'acme', limit_usd: 1000 });
    const a = (await post('/preflight', { tenant_id: 'acme', run_id: 'run-1', plan: gpuPlan() })).json();
    expect(a.decision).toBe('allow');
    expect(a.reservation.amount_micros).toBe(Math.ceil(a.predicted_p90_usd * 1e6 - 1e-6));
    let b = (await get('/budgets/acme')).json();
    expect(b).toMatchObject({ reserved_micros: a.reservation.amount_micros, open_reservations: 1, spent_micros: 0 });
    b = (await post(`/budgets/acme/reservations/${a.reservation.id}/settle`, { cost_usd: 0.123456 })).json();
    expect(b).toMatchObject({ spent_micros: 123_456, reserved_micros: 0, open_reservations: 0, remaining_micros: 1_000_000_000 - 123_456 });
    const again = await post(`/budgets/acme/reservations/${a.reservation.id}/settle`, { cost_usd: 1 });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('RESERVATION_SETTLED');
    const c = (await post('/preflight', { tenant_id: 'acme', plan: apiPlan() })).json();
    expect((await post(`/budgets/acme/reservations/${c.reservation.id}/release`, {})).json()).toMatchObject({ reserved_micros: 0, spent_micros: 123_456 });
    const noReserve = (await post('/preflight', { tenant_id: 'acme', plan: apiPlan(), reserve: false })).json();
    expect(noReserve).toMatchObject({ decision: 'allow' });
    expect(noReserve.reservation).toBeUndefined();
  });

  it('denies a run predicted to overrun, with up to three cheaper configurations that fit', async () => {
    await server();
    const probe = (await post('/predict', { tenant_id: 'acme', plan: gpuPlan({ model: 'llama-3-70b', gpu_type: 'H200', gpu_count: 2, requests: 6400 }) })).json();
    await createBudget({ tenant_id: 'acme', limit_usd: Math.round(probe.p90_usd * 0.6 * 1e6) / 1e6 });
    const d = (await post('/preflight', { tenant_id: 'acme', plan: gpuPlan({ model: 'llama-3-70b', gpu_type: 'H200', gpu_count: 2, requests: 6400 }) })).json();
    expect(d.decision).toBe('deny');
    expect(d.reason).toMatch(/exceeds the remaining/);
    expect(d.reservation).toBeUndefined();
    expect(d.alternatives.length).toBeGreaterThan(0);
    expect(d.alternatives.length).toBeLessThanOrEqual(3);
    for (const alt of d.alternatives) {
      expect(alt.p90_usd).toBeLessThanOrEqual(d.remaining_usd);
      expect(alt.plan.model).toBe('llama-3-70b');
      expect(`${alt.plan.gpu_type}/${alt.plan.gpu_count}`).not.toBe('H200/2');
    }
    expect([...d.alternatives].map((a: { p90_usd: number }) => a.p90_usd)).toEqual([...d.alternatives].map((a: { p90_usd: number }) => a.p90_usd).sort((x: number, y: number) => x - y));
    expect((await get('/budgets/acme')).json().reserved_micros).toBe(0);
    const m = (await get('/metrics')).body;
    expect(m).toMatch(/lutflow_budget_decisions_total\{decision="deny"\} 1/);
  });

  it('expires reservations that outlive their TTL', async () => {
    let now = Date.parse('2026-11-01T10:00:00Z');
    await server({ clock: () => now });
    await createBudget({ tenant_id: 'acme', limit_usd: 100 });
    await post('/preflight', { tenant_id: 'acme', plan: gpuPlan(), reservation_ttl_seconds: 60 });
    expect((await get('/budgets/acme')).json().open_reservations).toBe(1);
    now += 61_000;
    expect((await get('/budgets/acme')).json()).toMatchObject({ open_reservations: 0, reserved_micros: 0 });
  });

  it('loses no spend and no reservation across a restart', async () => {
    const ledgerDir = tempDir('lutflow-ledger-');
    const dir = modelDir();
    await server({ ledgerDir, modelDir: dir });
    await createBudget({ tenant_id: 'acme', limit_usd: 500, window: 'monthly' });
    const r1 = (await post('/preflight', { tenant_id: 'acme', plan: gpuPlan() })).json().reservation;
    const r2 = (await post('/preflight', { tenant_id: 'acme', plan: apiPlan() })).json().reservation;
    const r3 = (await post('/preflight', { tenant_id: 'acme', plan: apiPlan({ requests: 10 }) })).json().reservation;
    await post(`/budgets/acme/reservations/${r1.id}/settle`, { cost_usd: 1.5 });
    await post(`/budgets/acme/reservations/${r3.id}/release`, {});
    const before = (await get('/budgets/acme')).json();
    await app!.close();

    await server({ ledgerDir, modelDir: dir });
    const after = (await get('/budgets/acme')).json();
    // The forecast's run-out time moves with the clock; everything else must come back as it was.
    expect({ ...after, forecast: undefined }).toEqual({ ...before, forecast: undefined });
    expect(after).toMatchObject({ spent_micros: 1_500_000, reserved_micros: r2.amount_micros, open_reservations: 1 });
    expect((await post(`/budgets/acme/reservations/${r2.id}/settle`, { cost_usd: 2 })).json().spent_micros).toBe(3_500_000);
    await app!.close();
    await server({ ledgerDir, modelDir: dir });
    expect((await get('/budgets/acme')).json()).toMatchObject({ spent_micros: 3_500_000, open_reservations: 0 });
  });
});

describe('budget ledger', () => {
  it('rolls daily and monthly windows at their reset time', async () => {
    let now = Date.parse('2026-11-01T05:00:00Z');
    const ledger = new FileLedger({ clock: () => now });
    await ledger.create({ tenant_id: 'd', limit_micros: 1000, window: 'daily', reset_hour_utc: 6 });
    await ledger.create({ tenant_id: 'm', limit_micros: 1000, window: 'monthly', reset_day: 15 });
    await ledger.charge('d', [{ id: 'a', micros: 400, at: now }]);
    await ledger.charge('m', [{ id: 'a', micros: 400, at: now }]);
    now = Date.parse('2026-11-01T05:59:59Z');
    expect((await ledger.status('d')).spent_micros).toBe(400);
    now = Date.parse('2026-11-01T06:00:00Z');
    expect((await ledger.status('d')).spent_micros).toBe(0);
    expect((await ledger.status('m')).spent_micros).toBe(400);
    now = Date.parse('2026-11-15T00:00:00Z');
    expect((await ledger.status('m')).spent_micros).toBe(0);
    expect(new Date((await ledger.status('m')).window_end).toISOString()).toBe('2026-12-15T00:00:00.000Z');
  });

  it('never lets concurrent reservations exceed the limit', async () => {
    const ledger = new FileLedger({ dir: tempDir('lutflow-ledger-') });
    await ledger.create({ tenant_id: 't', limit_micros: 1_000_000 });
    const granted = (await Promise.all(Array.from({ length: 200 }, () => ledger.reserve('t', 20_000, { ttlMs: 60_000 })))).filter(Boolean);
    expect(granted).toHaveLength(50);
    expect((await ledger.status('t')).remaining_micros).toBe(0);
    await expect(ledger.reserve('t', -1, { ttlMs: 1 })).rejects.toThrow(/integer of micro-dollars/);
  });
});
