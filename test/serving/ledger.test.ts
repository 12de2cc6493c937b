import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildServer, type Ledger } from '../../serving/index.js';
import { ACME, ADMIN, GLOBEX, KEYS, apiOf, apiPlan, auth, gpuPlan, modelDir, telemetryEvent } from './fixtures.js';
import { STORES, type StoreHarness } from './stores.js';

/** Issue rows 1, 2, 4 (scoping), 7, 8, 9 and 10 through the API, against every ledger store. */

const T0 = Date.parse('2026-11-10T12:00:00Z');

describe.each(STORES)('the budget API on the $name ledger store', ({ make }) => {
let store: StoreHarness;
beforeAll(async () => { store = await make(); });
afterAll(async () => { await store.dispose(); });
let app: FastifyInstance | undefined;
afterEach(async () => { await app?.close(); app = undefined; });

async function server(opts: { clock?: () => number; logger?: unknown } = {}) {
  const clock = opts.clock ?? Date.now;
  const ledger = await store.fresh({ clock });
  const built = await buildServer({ modelDir: modelDir(), apiKeys: KEYS, watchModel: false, clock, ledger: keepOpen(ledger), logger: opts.logger as never });
  app = built.app;
  return built;
}
/** The harness owns the ledger's life: the server must not close it. */
const keepOpen = (l: Ledger): Ledger => Object.assign(Object.create(l), { close: async () => {} });
const { post, patch, get, spent, telemetry } = apiOf(() => app!);
const event = (over: Record<string, unknown> = {}) => telemetryEvent(T0, over);

describe('row 1: a changed window or reset hour re-buckets spend, never drops it', () => {
  it('keeps charging after the window changes, in every direction', async () => {
    let now = T0;
    await server({ clock: () => now });
    await post('/budgets', { tenant_id: 'acme', limit_usd: 10, window: 'monthly' }, ADMIN);
    await telemetry([event({ cost_usd_micros: 2_000_000 })]);
    expect((await patch('/budgets/acme', { window: 'total' })).json().spent_micros).toBe(2_000_000);
    await telemetry([event({ cost_usd_micros: 5_000_000 })]);
    expect(await spent()).toBe(7_000_000);
    await patch('/budgets/acme', { window: 'daily', reset_hour_utc: 6 });
    now = T0 + 3_600_000;
    await telemetry([event({ cost_usd_micros: 1_000_000, event_time: new Date(now).toISOString() })]);
    expect(await spent()).toBe(8_000_000);
    // Reset at 13:00 instead of 06:00: charges from 12:00 fall before the new window, 13:00 inside it.
    expect((await patch('/budgets/acme', { reset_hour_utc: 13 })).json().spent_micros).toBe(1_000_000);
    expect((await patch('/budgets/acme', { window: 'monthly' })).json().spent_micros).toBe(8_000_000);
    const r = (await post('/preflight', { tenant_id: 'acme', plan: apiPlan({ requests: 1 }) })).json().reservation;
    await patch('/budgets/acme', { window: 'total' });
    expect((await post(`/budgets/acme/reservations/${r.id}/settle`, { cost_usd: 0.5 })).json().spent_micros).toBe(8_500_000);
  });
});

describe('row 2: event times from the future are refused; late ones count where they arrive', () => {
  it('one event dated 2030 neither wipes nor freezes a daily budget', async () => {
    await server({ clock: () => T0 });
    await post('/budgets', { tenant_id: 'acme', limit_usd: 10, window: 'daily' }, ADMIN);
    await telemetry([event({ cost_usd_micros: 1_000_000 })]);
    const future = (await telemetry([event({ cost_usd_micros: 1, event_time: '2030-01-01T00:00:00Z' })])).json();
    expect(future).toMatchObject({ accepted: 0, rejected: [{ index: 0, errors: [{ path: '/event_time' }] }] });
    expect(future.rejected[0].errors[0].message).toMatch(/ahead of the server clock/);
    await telemetry([event({ cost_usd_micros: 5_000_000 }), event({ cost_usd_micros: 9_000_000 })]);
    expect(await spent()).toBe(15_000_000);
    const d = (await post('/preflight', { tenant_id: 'acme', plan: apiPlan({ requests: 1, prompt_tokens: 100, max_output_tokens: 100 }) })).json();
    expect(d.decision).toBe('deny');
  });

  it('a small clock skew is accepted; an event from a closed window is charged on arrival and reported late', async () => {
    await server({ clock: () => T0 });
    await post('/budgets', { tenant_id: 'acme', limit_usd: 10, window: 'daily', reset_hour_utc: 6 }, ADMIN);
    const skewed = (await telemetry([event({ event_time: new Date(T0 + 60_000).toISOString() })])).json();
    expect(skewed).toMatchObject({ accepted: 1, late: 0 });
    const yesterday = (await telemetry([event({ event_time: new Date(T0 - 20 * 3_600_000).toISOString() })])).json();
    expect(yesterday).toMatchObject({ accepted: 1, late: 1 });
    expect(await spent()).toBe(2_000_000);
    const ancient = (await telemetry([event({ event_time: new Date(T0 - 72 * 3_600_000).toISOString() })])).json();
    expect(ancient.rejected[0].errors[0]).toMatchObject({ path: '/event_time', message: expect.stringMatching(/de-duplication horizon/) });
  });
});

describe('row 4: event ids are scoped per tenant', () => {
  it('ids are scoped per tenant', async () => {
    await server({ clock: () => T0 });
    await post('/budgets', { tenant_id: 'acme', limit_usd: 10 }, ADMIN);
    await post('/budgets', { tenant_id: 'globex', limit_usd: 10 }, ADMIN);
    await telemetry([event({ event_id: 'x' })]);
    expect((await telemetry([event({ event_id: 'x', tenant_id: 'globex' })], GLOBEX)).json()).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(await spent('globex')).toBe(1_000_000);
  });
});

describe('leases (issue 13): slices of a budget that telemetry draws down', () => {
  it('grants slices, the last in part, then refuses; telemetry under a lease draws it; a return charges the rest once', async () => {
    await server({ clock: () => T0 });
    await post('/budgets', { tenant_id: 'acme', limit_usd: 1 }, ADMIN);
    const a = await post('/budgets/acme/leases', { amount_usd: 0.6 });
    expect(a.statusCode).toBe(201);
    expect(a.json()).toMatchObject({ amount_micros: 600_000, lease_id: expect.stringMatching(/^res_/) });
    const b = (await post('/budgets/acme/leases', { amount_usd: 0.6 })).json();
    expect(b.amount_micros).toBe(400_000);
    const none = await post('/budgets/acme/leases', { amount_usd: 0.01 });
    expect(none.statusCode).toBe(409);
    expect(none.json().error.code).toBe('BUDGET_EXHAUSTED');
    const lease = a.json().lease_id;
    const spentUnder = [event({ cost_usd_micros: 150_000, lease_id: lease }), event({ cost_usd_micros: 50_000, lease_id: lease })];
    expect((await telemetry(spentUnder)).json()).toMatchObject({ accepted: 2, covered: 0 });
    expect((await get('/budgets/acme')).json()).toMatchObject({ spent_micros: 200_000, reserved_micros: 400_000 + 400_000, remaining_micros: 0 });
    const back = (await post(`/budgets/acme/leases/${lease}/return`, { spent_usd: 0.25 })).json();
    expect(back).toMatchObject({ spent_micros: 250_000, reserved_micros: 400_000, remaining_micros: 350_000 });
    // The holder's last event arrives after the return that counted it: recorded, not charged twice.
    expect((await telemetry([event({ cost_usd_micros: 50_000, lease_id: lease })])).json()).toMatchObject({ accepted: 1, covered: 1 });
    expect(await spent()).toBe(250_000);
    expect((await post(`/budgets/acme/leases/${lease}/return`, { spent_usd: 0.25 })).statusCode).toBe(409);
  });

  it('a holder that vanished: its lease expires back to the budget; what its telemetry brought stays charged', async () => {
    let now = T0;
    await server({ clock: () => now });
    await post('/budgets', { tenant_id: 'acme', limit_usd: 1 }, ADMIN);
    const lease = (await post('/budgets/acme/leases', { amount_usd: 0.5, ttl_seconds: 5 })).json().lease_id;
    await telemetry([event({ cost_usd_micros: 100_000, lease_id: lease })]);
    now += 3000;
    expect((await post(`/budgets/acme/leases/${lease}/renew`, { ttl_seconds: 5 })).statusCode).toBe(200);
    now += 4000;
    expect((await get('/budgets/acme')).json()).toMatchObject({ spent_micros: 100_000, reserved_micros: 400_000 });
    now += 2000;
    expect((await get('/budgets/acme')).json()).toMatchObject({ spent_micros: 100_000, reserved_micros: 0, remaining_micros: 900_000 });
    const late = await post(`/budgets/acme/leases/${lease}/renew`, {});
    expect(late.statusCode).toBe(404);
    expect(late.json().error.message).toMatch(/take a new one/);
  });

  it('a pre-flight reservation reported through telemetry and settled is charged once', async () => {
    await server({ clock: () => T0 });
    await post('/budgets', { tenant_id: 'acme', limit_usd: 100 }, ADMIN);
    const r = (await post('/preflight', { tenant_id: 'acme', plan: apiPlan({ requests: 10 }) })).json().reservation;
    await telemetry([event({ cost_usd_micros: 30_000, lease_id: r.id }), event({ cost_usd_micros: 20_000, lease_id: r.id })]);
    expect((await post(`/budgets/acme/reservations/${r.id}/settle`, { cost_usd: 0.05 })).json()).toMatchObject({ spent_micros: 50_000, reserved_micros: 0 });
  });
});

describe('scopes (issue 13): a spend counts against its budget and every ancestor scope\'s', () => {
  it('a project under a tenant: both limits hold, spend counts in both, a scope without a budget counts in its tenant\'s', async () => {
    await server({ clock: () => T0 });
    await post('/budgets', { tenant_id: 'acme', limit_usd: 10 }, ADMIN);
    await post('/budgets', { tenant_id: 'acme/search', limit_usd: 3 }, ADMIN);
    expect((await post('/budgets/acme%2Fsearch/leases', { amount_usd: 2.5 })).json().amount_micros).toBe(2_500_000);
    expect((await post('/budgets/acme/leases', { amount_usd: 7 })).json().amount_micros).toBe(7_000_000);
    // The project has 0.5 left, the tenant 0.5: a lease of the project gets the tighter of the two.
    expect((await post('/budgets/acme%2Fsearch/leases', { amount_usd: 2 })).json().amount_micros).toBe(500_000);
    expect((await post('/budgets/acme/leases', { amount_usd: 1 })).statusCode).toBe(409);
    await telemetry([event({ tenant_id: 'acme/search', cost_usd_micros: 100_000 }), event({ tenant_id: 'acme/other', cost_usd_micros: 40_000 })]);
    expect((await get('/budgets/acme%2Fsearch')).json()).toMatchObject({ spent_micros: 100_000, reserved_micros: 3_000_000 });
    expect((await get('/budgets/acme')).json()).toMatchObject({ spent_micros: 140_000, reserved_micros: 10_000_000 });
    const denied = (await post('/preflight', { tenant_id: 'acme/search', plan: apiPlan({ requests: 1 }) })).json();
    expect(denied.decision).toBe('deny');
  });

  it('model policies: a scope may use what it and every ancestor allow', async () => {
    await server({ clock: () => T0 });
    await post('/budgets', { tenant_id: 'acme', limit_usd: 100, model_policy: { deny: ['gpt-4o'] } }, ADMIN);
    await post('/budgets', { tenant_id: 'acme/search', limit_usd: 10, model_policy: { allow: ['gpt-4o*', 'claude-*'] } }, ADMIN);
    const ask = async (tenant: string, model: string) => (await post('/preflight', { tenant_id: tenant, plan: apiPlan({ model, requests: 1 }), reserve: false })).json();
    expect(await ask('acme', 'gpt-4o')).toMatchObject({ decision: 'deny', policy: true });
    // Spellings priced as gpt-4o are gpt-4o to the policy too.
    for (const m of ['openai/gpt-4o', 'gpt4o', 'GPT 4o', 'gpt_4o']) expect(await ask('acme', m), m).toMatchObject({ decision: 'deny', policy: true });
    expect((await ask('acme', 'gpt-4o-mini')).decision).toBe('allow');
    // An allow list holds what the model is priced as, not a prefix of the name asked.
    await post('/budgets', { tenant_id: 'acme/cheap', limit_usd: 1, model_policy: { allow: ['gpt-4o-mini*'] } }, ADMIN);
    expect((await ask('acme/cheap', 'gpt-4o-mini')).decision).toBe('allow');
    for (const m of ['gpt-4o-mini/gpt-4o', 'gpt-4o-mini/../gpt-4o']) expect(await ask('acme/cheap', m), m).toMatchObject({ decision: 'deny', policy: true });
    expect(await ask('acme/search', 'gpt-4o')).toMatchObject({ decision: 'deny', policy: true });
    expect((await ask('acme/search', 'claude-sonnet-4-5-20250929')).decision).toBe('allow');
    expect(await ask('acme/search', 'gemini-2.5-pro')).toMatchObject({ decision: 'deny', policy: true });
    expect((await get('/budgets/acme%2Fsearch')).json().model_policy).toEqual({ allow: ['gpt-4o*', 'claude-*'] });
  });

  it('a key for a tenant acts for its scopes; a key for a scope does not reach its tenant', async () => {
    await server({ clock: () => T0 });
    await post('/budgets', { tenant_id: 'globex', limit_usd: 10 }, ADMIN);
    await post('/budgets', { tenant_id: 'globex/batch', limit_usd: 1 }, ADMIN);
    expect((await get('/budgets/globex%2Fbatch', GLOBEX)).statusCode).toBe(200);
    expect((await get('/budgets/acme%2Fsearch', GLOBEX)).statusCode).toBe(403);
    expect((await get('/budgets', GLOBEX)).json().budgets.map((b: { tenant_id: string }) => b.tenant_id)).toEqual(['globex', 'globex/batch']);
  });
});

describe('leases and scopes under attack (the adversarial review)', () => {
  const budget = async (t: string) => (await get(`/budgets/${encodeURIComponent(t)}`, ADMIN)).json();

  it('telemetry after a lease expired, or after it was released, is charged once with the return', async () => {
    let now = T0;
    await server({ clock: () => now });
    await post('/budgets', { tenant_id: 'acme', limit_usd: 10 }, ADMIN);
    const lease = (await post('/budgets/acme/leases', { amount_usd: 1, ttl_seconds: 5 })).json().lease_id;
    await telemetry([event({ cost_usd_micros: 100_000, lease_id: lease })]);
    now += 6000; // the holder stalled past its TTL and goes on
    await telemetry([event({ cost_usd_micros: 200_000, lease_id: lease })]);
    expect((await post(`/budgets/acme/leases/${lease}/return`, { spent_usd: 0.3 })).statusCode).toBe(200);
    expect(await spent()).toBe(300_000);
    const other = (await post('/budgets/acme/leases', { amount_usd: 1 })).json().lease_id;
    await post(`/budgets/acme/reservations/${other}/release`, {});
    await telemetry([event({ cost_usd_micros: 50_000, lease_id: other })]);
    await post(`/budgets/acme/reservations/${other}/settle`, { cost_usd: 0.05 });
    expect(await spent()).toBe(350_000);
  });

  it('a scope\'s reservation settled through its tenant\'s path closes in both budgets, once', async () => {
    await server({ clock: () => T0 });
    await post('/budgets', { tenant_id: 'acme', limit_usd: 10 }, ADMIN);
    await post('/budgets', { tenant_id: 'acme/search', limit_usd: 5 }, ADMIN);
    const lease = (await post('/budgets/acme%2Fsearch/leases', { amount_usd: 2 })).json().lease_id;
    expect((await post(`/budgets/acme/reservations/${lease}/settle`, { cost_usd: 1 })).statusCode).toBe(200);
    expect((await post(`/budgets/acme%2Fsearch/reservations/${lease}/settle`, { cost_usd: 1 })).json().error.code).toBe('RESERVATION_SETTLED');
    for (const t of ['acme', 'acme/search']) expect(await budget(t)).toMatchObject({ spent_micros: 1_000_000, reserved_micros: 0 });
  });

  it('a scope\'s path never reaches its tenant\'s reservations (settle, release, renew)', async () => {
    await server({ clock: () => T0 });
    await post('/budgets', { tenant_id: 'acme', limit_usd: 10 }, ADMIN);
    const lease = (await post('/budgets/acme/leases', { amount_usd: 4 })).json().lease_id;
    for (const [op, body] of [['reservations', 'settle', { cost_usd: 0 }], ['reservations', 'release', {}], ['leases', 'renew', {}]].map(([a, b, c]) => [`${a}/${lease}/${b}`, c] as const)) {
      const r = await post(`/budgets/acme%2Fsearch/${op}`, body);
      expect(r.statusCode, op).toBe(404);
    }
    expect((await post(`/budgets/acme/leases/${lease}/return`, { spent_usd: 4 })).statusCode).toBe(200);
    expect(await spent()).toBe(4_000_000);
  });

  it('sibling scopes may send the same event id: each is charged', async () => {
    await server({ clock: () => T0 });
    await post('/budgets', { tenant_id: 'acme', limit_usd: 10 }, ADMIN);
    expect((await telemetry([event({ tenant_id: 'acme/a', event_id: 'evt-1', cost_usd_micros: 500_000 })])).json()).toMatchObject({ accepted: 1 });
    expect((await telemetry([event({ tenant_id: 'acme/b', event_id: 'evt-1', cost_usd_micros: 700_000 })])).json()).toMatchObject({ accepted: 1, duplicates: 0 });
    expect((await telemetry([event({ tenant_id: 'acme', event_id: 'evt-1', cost_usd_micros: 300_000 })])).json()).toMatchObject({ accepted: 1, duplicates: 0 });
    expect((await telemetry([event({ tenant_id: 'acme/b', event_id: 'evt-1', cost_usd_micros: 700_000 })])).json()).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await spent()).toBe(1_500_000);
  });

  it('telemetry naming another scope\'s lease is charged as its reporter\'s and leaves that lease whole', async () => {
    await server({ clock: () => T0 });
    await post('/budgets', { tenant_id: 'acme', limit_usd: 10 }, ADMIN);
    await post('/budgets', { tenant_id: 'acme/search', limit_usd: 1 }, ADMIN);
    const lease = (await post('/budgets/acme%2Fsearch/leases', { amount_usd: 1 })).json().lease_id;
    await telemetry([event({ tenant_id: 'acme', cost_usd_micros: 900_000, lease_id: lease })]);
    expect(await budget('acme/search')).toMatchObject({ spent_micros: 0, reserved_micros: 1_000_000, remaining_micros: 0 });
    expect(await budget('acme')).toMatchObject({ spent_micros: 900_000, reserved_micros: 1_000_000 });
    expect((await post('/budgets/acme%2Fsearch/leases', { amount_usd: 0.5 })).statusCode).toBe(409);
  });

  it('control characters in ids are a 400 by field on every store, and the valid events of a batch are charged', async () => {
    await server({ clock: () => T0 });
    await post('/budgets', { tenant_id: 'acme', limit_usd: 10 }, ADMIN);
    const r = (await telemetry([event({ cost_usd_micros: 5_000 }), event({ event_id: 'x\u0000y' })])).json();
    expect(r).toMatchObject({ accepted: 1, rejected: [{ index: 1 }] });
    expect(await spent()).toBe(5_000);
    expect((await get('/budgets/acme%00')).statusCode).toBe(400);
    expect((await post('/budgets', { tenant_id: 'acme\u0000x', limit_usd: 1 }, ADMIN)).json().error).toMatchObject({ code: 'INVALID_REQUEST', field: '/tenant_id' });
    expect((await post('/budgets/acme/reservations/res%00x/release', {})).statusCode).toBe(400);
    expect((await get('/alerts?tenant_id=acme%00')).statusCode).toBe(400);
  });

  it('a deployment\'s reservation is the server\'s: no key settles, releases or renews it, through any path', async () => {
    const { context } = await server({ clock: () => T0 });
    await post('/budgets', { tenant_id: 'acme', limit_usd: 10 }, ADMIN);
    await context.ledger.create({ tenant_id: 'acme/deployment:d-1', limit_micros: 5_000_000, window: 'total' });
    const r = (await context.ledger.reserve('acme/deployment:d-1', 5_000_000, { ttlMs: 60_000 }))!;
    for (const key of [ACME, ADMIN]) {
      expect((await post(`/budgets/acme%2Fdeployment%3Ad-1/reservations/${r.id}/settle`, { cost_usd: 0 }, key)).statusCode).toBe(403);
      expect((await post(`/budgets/acme%2Fdeployment%3Ad-1/leases/${r.id}/renew`, {}, key)).statusCode).toBe(403);
      expect((await post(`/budgets/acme/reservations/${r.id}/settle`, { cost_usd: 0 }, key)).statusCode).toBe(404);
      expect((await post(`/budgets/acme/reservations/${r.id}/release`, {}, key)).statusCode).toBe(404);
    }
    expect(await budget('acme')).toMatchObject({ spent_micros: 0, reserved_micros: 5_000_000 });
    await context.ledger.settle('acme/deployment:d-1', r.id, 1_234_567);
    expect(await budget('acme')).toMatchObject({ spent_micros: 1_234_567, reserved_micros: 0 });
  });
});

describe('row 7: budget decisions use the server\'s prices', () => {
  it('refuses prices from a tenant key on /preflight, allows a what-if on /predict, and uses admin overrides', async () => {
    await server();
    await post('/budgets', { tenant_id: 'acme', limit_usd: 1 }, ADMIN);
    const free = await post('/preflight', { tenant_id: 'acme', plan: gpuPlan(), prices: { gpu_usd_per_hour: 0 } });
    expect(free.statusCode).toBe(403);
    expect(free.json().error).toMatchObject({ code: 'FORBIDDEN', field: '/prices' });
    expect((await post('/predict', { tenant_id: 'acme', plan: gpuPlan(), prices: { gpu_usd_per_hour: 0 } })).json().p90_usd).toBe(0);
    const catalog = (await post('/preflight', { tenant_id: 'acme', plan: gpuPlan(), reserve: false })).json();
    expect(catalog.prices.gpu_usd_per_hour).toBe(3.99);
    const o = await patch('/budgets/acme', { price_overrides: { gpu_usd_per_hour: { 'NVIDIA H100 80GB': 2 } } });
    expect(o.json().price_overrides).toEqual({ gpu_usd_per_hour: { 'H100-SXM': 2 } });
    const negotiated = (await post('/preflight', { tenant_id: 'acme', plan: gpuPlan(), reserve: false })).json();
    expect(negotiated.prices).toMatchObject({ gpu_usd_per_hour: 2, source: 'tenant price override' });
    expect(negotiated.predicted_p90_usd).toBeCloseTo((negotiated.p90 * 2) / 3600, 9);
    expect(negotiated.predicted_p90_usd).toBeLessThan(catalog.predicted_p90_usd);
    expect((await app!.inject({ method: 'PATCH', url: '/budgets/acme', payload: { limit_usd: 1e6 }, headers: auth(ACME) })).statusCode).toBe(403);
  });

  it('never reserves $0 for a paid run', async () => {
    await server();
    await post('/budgets', { tenant_id: 'acme', limit_usd: 0.001 }, ADMIN);
    const granted = [];
    for (let i = 0; i < 200; i++) {
      const r = (await post('/preflight', { tenant_id: 'acme', plan: apiPlan({ requests: 1, prompt_tokens: 0, max_output_tokens: 1 }) })).json();
      if (r.decision !== 'allow') break;
      expect(r.reservation.amount_micros).toBeGreaterThanOrEqual(10);
      granted.push(r);
    }
    expect(granted.length).toBeGreaterThan(0);
    expect(granted.length).toBeLessThanOrEqual(100);
  });
});

describe('row 8: bounds', () => {
  it('refuses sizes and prices past the schema maxima, and answers finite numbers within them', async () => {
    await server();
    for (const [body, field] of [
      [{ tenant_id: 'acme', plan: gpuPlan({ requests: 1e300 }) }, '/plan/requests'],
      [{ tenant_id: 'acme', plan: gpuPlan({ batch_size: 1e12 }) }, '/plan/batch_size'],
      [{ tenant_id: 'acme', plan: gpuPlan({ max_output_tokens: 1e15 }) }, '/plan/max_output_tokens'],
      [{ tenant_id: 'acme', plan: gpuPlan(), prices: { gpu_usd_per_hour: 1e308 } }, '/prices/gpu_usd_per_hour'],
      [{ tenant_id: 'acme', plan: gpuPlan({ gpu_count: 5000 }) }, '/plan/gpu_count'],
      [{ tenant_id: 'acme', plan: gpuPlan({ batch_size: 65, requests: 64 }) }, '/plan/batch_size'],
    ] as const) {
      const r = await post('/predict', body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json().error.field, JSON.stringify(body)).toBe(field);
    }
    const max = await post('/predict', { tenant_id: 'acme', plan: apiPlan({ requests: 1e9, prompt_tokens: 1000, max_output_tokens: 1000 }), prices: { input_usd_per_mtok: 0, output_usd_per_mtok: 0 } });
    expect(max.statusCode).toBe(200);
    expect(Number.isFinite(max.json().p90_usd)).toBe(true);
    const t4 = (await post('/predict', { tenant_id: 'acme', plan: gpuPlan({ model: 'llama-3-70b', gpu_type: 'T4', gpu_count: 1 }) })).json();
    expect(t4).toMatchObject({ feasible: false, reason: expect.stringMatching(/weights of llama-3-70b take 141\.1 GB .* 1 x T4 hold \(16 GB\)/) });
  });
});

describe('row 9: a run longer than its reservation TTL is still charged', () => {
  it('settles an expired reservation once, within the grace period', async () => {
    let now = T0;
    await server({ clock: () => now });
    await post('/budgets', { tenant_id: 'acme', limit_usd: 100 }, ADMIN);
    const r = (await post('/preflight', { tenant_id: 'acme', plan: apiPlan({ requests: 1 }), reservation_ttl_seconds: 1 })).json().reservation;
    now += 2000;
    expect((await get('/budgets/acme')).json()).toMatchObject({ reserved_micros: 0, open_reservations: 0 });
    expect((await post(`/budgets/acme/reservations/${r.id}/settle`, { cost_usd: 5 })).json().spent_micros).toBe(5_000_000);
    expect((await post(`/budgets/acme/reservations/${r.id}/settle`, { cost_usd: 5 })).statusCode).toBe(409);
    const released = (await post('/preflight', { tenant_id: 'acme', plan: apiPlan({ requests: 1 }) })).json().reservation;
    expect((await post(`/budgets/acme/reservations/${released.id}/release`, {})).statusCode).toBe(200);
    expect((await post(`/budgets/acme/reservations/${released.id}/release`, {})).statusCode).toBe(200);
    expect((await post(`/budgets/acme/reservations/${released.id}/settle`, { cost_usd: 1 })).json().spent_micros).toBe(6_000_000);
    const late = (await post('/preflight', { tenant_id: 'acme', plan: apiPlan({ requests: 1 }), reservation_ttl_seconds: 1 })).json().reservation;
    now += 8 * 86_400_000;
    expect((await post(`/budgets/acme/reservations/${late.id}/settle`, { cost_usd: 1 })).json().error.code).toBe('RESERVATION_NOT_FOUND');
    expect((await post(`/budgets/acme/reservations/${r.id}/settle`, { cost_usd: 1 }, GLOBEX)).statusCode).toBe(403);
  });
});

describe('row 10: the small ones', () => {
  it('long tenant ids, lower-case bearer, /metrics behind a key without tenant ids', async () => {
    await server();
    const long = 'x'.repeat(256);
    expect((await post('/budgets', { tenant_id: long, limit_usd: 1 }, ADMIN)).statusCode).toBe(201);
    expect((await get(`/budgets/${long}`, ADMIN)).json().tenant_id).toBe(long);
    expect((await post('/budgets', { tenant_id: 'y'.repeat(257), limit_usd: 1 }, ADMIN)).json().error.field).toBe('/tenant_id');
    const lower = await app!.inject({ method: 'GET', url: `/budgets/${long}`, headers: { authorization: `bearer ${ADMIN}` } });
    expect(lower.statusCode).toBe(200);
    const p90 = (await post('/predict', { tenant_id: 'acme', plan: apiPlan() })).json().p90_usd;
    await post('/budgets', { tenant_id: 'acme', limit_usd: Math.ceil((p90 / 0.9) * 1e6) / 1e6 }, ADMIN);
    expect((await post('/preflight', { tenant_id: 'acme', plan: apiPlan() })).json()).toMatchObject({ decision: 'allow', alert: true });
    expect((await app!.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    const m = (await get('/metrics')).body;
    expect(m).toMatch(/lutflow_budget_alerts_total 1/);
    expect(m).not.toMatch(/acme/);
  });

  it('writes no log line per request at the default level, and one per request at debug', async () => {
    for (const [level, perRequest] of [['info', 0], ['debug', 2]] as const) {
      const lines: string[] = [];
      await server({ logger: { level, stream: { write: (l: string) => lines.push(l) } } });
      const before = lines.length;
      for (let i = 0; i < 50; i++) await post('/predict', { tenant_id: 'acme', plan: gpuPlan() });
      expect(lines.length - before, level).toBe(50 * perRequest);
      await app!.close();
      app = undefined;
    }
  });

  it('lists the budgets a key may see', async () => {
    await server();
    for (const t of ['acme', 'globex', 'initech']) await post('/budgets', { tenant_id: t, limit_usd: 1 }, ADMIN);
    expect((await get('/budgets', ADMIN)).json().budgets.map((b: { tenant_id: string }) => b.tenant_id)).toEqual(['acme', 'globex', 'initech']);
    expect((await get('/budgets')).json().budgets.map((b: { tenant_id: string }) => b.tenant_id)).toEqual(['acme']);
  });

  it('expires many reservations in time order without losing the sum', async () => {
    let now = T0;
    const ledger = await store.fresh({ clock: () => now });
    await ledger.create({ tenant_id: 't', limit_micros: 1e12 });
    for (let i = 0; i < 2000; i += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, k) => ledger.reserve('t', 1000 + i + k, { ttlMs: 1000 + ((i + k) % 100) * 10 })));
    }
    now += 1500;
    const expected = Array.from({ length: 2000 }, (_, i) => i).filter((i) => 1000 + (i % 100) * 10 > 1500).reduce((a, i) => a + 1000 + i, 0);
    expect((await ledger.status('t')).reserved_micros).toBe(expected);
    now += 10_000;
    expect(await ledger.status('t')).toMatchObject({ reserved_micros: 0, reservations: 0 });
  });
});
});
