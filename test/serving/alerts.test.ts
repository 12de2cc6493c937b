import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type Ledger } from '../../serving/index.js';
import { ADMIN, GLOBEX, KEYS, apiOf, apiPlan, modelDir, telemetryEvent } from './fixtures.js';
import { STORES, type StoreHarness } from './stores.js';

const SECRET = 'whsec-0123456789abcdef';
const apps: FastifyInstance[] = [];
afterEach(async () => { await Promise.all(apps.splice(0).map((a) => a.close())); });

const freePort = () => new Promise<number>((r) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => { const { port } = s.address() as { port: number }; s.close(() => r(port)); });
});

/** A webhook receiver as a user runs one: it checks the signature and counts what it got. */
async function receiver(port: number) {
  const got: { body: Record<string, unknown>; key: string; signed: boolean }[] = [];
  const app = Fastify();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.post('/hook', async (req) => {
    const raw = req.body as string;
    const [t, v1] = String(req.headers['x-lutflow-signature']).split(',').map((p) => p.split('=')[1]);
    const signed = v1 === createHmac('sha256', SECRET).update(`${t}.${raw}`).digest('hex');
    got.push({ body: JSON.parse(raw), key: String(req.headers['idempotency-key']), signed });
    return { ok: true };
  });
  await app.listen({ host: '127.0.0.1', port });
  apps.push(app);
  return got;
}

describe.each(STORES)('alerts on the $name ledger store', ({ make }) => {
  let store: StoreHarness;
  beforeAll(async () => { store = await make(); });
  afterAll(async () => { await store.dispose(); });
  let app: FastifyInstance | undefined;
  const { post, patch, get, telemetry } = apiOf(() => app!);
  const keepOpen = (l: Ledger): Ledger => Object.assign(Object.create(l), { close: async () => {} });

  async function server(opts: { clock?: () => number; alertIntervalMs?: number; ledger?: Ledger } = {}) {
    const clock = opts.clock ?? Date.now;
    const ledger = opts.ledger ?? await store.fresh({ clock });
    const built = await buildServer({ modelDir: modelDir(), apiKeys: KEYS, watchModel: false, clock, ledger: keepOpen(ledger), alertIntervalMs: opts.alertIntervalMs ?? 0 });
    apps.push(built.app);
    app = built.app;
    return { ...built, ledger };
  }

  it('raises each threshold once per window, listed with its delivery state; a new window raises them again', async () => {
    let now = Date.parse('2026-11-10T10:00:00Z');
    await server({ clock: () => now });
    await post('/budgets', { tenant_id: 'acme', limit_usd: 10, window: 'daily' }, ADMIN);
    await telemetry([telemetryEvent(now, { cost_usd_micros: 4_000_000 })]);
    expect((await get('/alerts')).json().alerts).toEqual([]);
    await telemetry([telemetryEvent(now, { cost_usd_micros: 1_000_000 })]);
    await telemetry([telemetryEvent(now, { cost_usd_micros: 3_500_000 })]);
    await telemetry([telemetryEvent(now, { cost_usd_micros: 100_000 })]);
    const alerts = (await get('/alerts')).json().alerts;
    expect(alerts.map((a: { subject: string }) => a.subject).sort()).toEqual(['0.5', '0.8']);
    expect(alerts[0]).toMatchObject({ kind: 'threshold', tenant_id: 'acme', delivery: { state: 'pending', attempts: 0 } });
    expect(alerts.find((a: { subject: string }) => a.subject === '0.8').message).toMatch(/spent \$8\.50 of its \$10\.00 budget: 80 % crossed/);
    now += 86_400_000;
    await telemetry([telemetryEvent(now, { cost_usd_micros: 6_000_000 })]);
    expect((await get('/alerts')).json().alerts.map((a: { subject: string }) => a.subject).sort()).toEqual(['0.5', '0.5', '0.8']);
    expect((await get('/alerts', GLOBEX)).json().alerts).toEqual([]);
    expect((await get('/alerts?tenant_id=acme', GLOBEX)).statusCode).toBe(403);
    expect((await get('/alerts?limit=1')).json().alerts).toHaveLength(1);
    expect((await get('/alerts?limit=0')).json().error).toMatchObject({ code: 'INVALID_REQUEST', field: '/limit' });
    expect((await get('/alerts?limit=x')).statusCode).toBe(400);
  });

  it('lowering the limit raises what the spend already crossed; a denied run or lease raises one deny alert per window', async () => {
    await server();
    await post('/budgets', { tenant_id: 'acme', limit_usd: 100, alert_thresholds: [0.25, 0.9] }, ADMIN);
    await telemetry([telemetryEvent(Date.now(), { cost_usd_micros: 30_000_000 })]);
    expect((await get('/alerts')).json().alerts.map((a: { subject: string }) => a.subject)).toEqual(['0.25']);
    await patch('/budgets/acme', { limit_usd: 31 });
    expect((await get('/alerts')).json().alerts.map((a: { subject: string }) => a.subject).sort()).toEqual(['0.25', '0.9']);
    const view = (await get('/budgets/acme')).json();
    expect(view.forecast).toMatchObject({ spend_rate_usd_per_day: 30, days_left: expect.any(Number), resets_first: false });
    expect(view.forecast.days_left).toBeCloseTo(1 / 30, 2);
    for (let i = 0; i < 3; i++) expect((await post('/preflight', { tenant_id: 'acme', plan: apiPlan({ requests: 5000 }) })).json().decision).toBe('deny');
    expect((await post('/budgets/acme/leases', { amount_usd: 5 })).json().amount_micros).toBe(1_000_000);
    expect((await post('/budgets/acme/leases', { amount_usd: 0.9 })).statusCode).toBe(409);
    expect((await post('/budgets/acme/leases', { amount_usd: 0.9 })).statusCode).toBe(409);
    const deny = (await get('/alerts')).json().alerts.filter((a: { kind: string }) => a.kind === 'deny');
    expect(deny.map((a: { subject: string }) => a.subject).sort()).toEqual(['lease', 'preflight']);
  });

  it('a tenant key sees its scopes\' alerts with its own, and no other tenant\'s whose id merely starts the same', async () => {
    await server();
    for (const tenant_id of ['acme', 'acme/search', 'acme2']) await post('/budgets', { tenant_id, limit_usd: 1, alert_thresholds: [0.5] }, ADMIN);
    await telemetry([telemetryEvent(Date.now(), { tenant_id: 'acme/search', cost_usd_micros: 600_000 })]);
    await telemetry([telemetryEvent(Date.now(), { tenant_id: 'acme2', cost_usd_micros: 600_000 })], ADMIN);
    const seen = async (url: string) => (await get(url)).json().alerts.map((a: { tenant_id: string }) => a.tenant_id).sort();
    expect(await seen('/alerts')).toEqual(['acme', 'acme/search']);
    expect(await seen('/alerts?tenant_id=acme')).toEqual(['acme', 'acme/search']);
    expect(await seen('/alerts?tenant_id=acme%2Fsearch')).toEqual(['acme/search']);
  });

  it('crossing 80 % with 50 concurrent writers sends exactly one signed webhook, delivered once the receiver is back', async () => {
    const port = await freePort();
    const built = await server({ alertIntervalMs: 50 });
    await post('/budgets', {
      tenant_id: 'acme', limit_usd: 10, alert_thresholds: [0.8], alert_webhook: { url: `http://127.0.0.1:${port}/hook`, secret: SECRET },
    }, ADMIN);
    const hidden = (await get('/budgets/acme')).json();
    expect(hidden.alert_webhook).toEqual({ url: `http://127.0.0.1:${port}/hook`, format: 'json', signed: true });
    expect(JSON.stringify(hidden)).not.toContain(SECRET);
    await telemetry([telemetryEvent(Date.now(), { cost_usd_micros: 7_900_000 })]);
    await Promise.all(Array.from({ length: 50 }, () => telemetry([telemetryEvent(Date.now(), { cost_usd_micros: 10_000 })])));
    // A second replica on the same ledger delivers too: a claimed alert is sent by one of them.
    const replica = await store.another();
    if (replica) apps.push((await buildServer({ modelDir: modelDir(), apiKeys: KEYS, watchModel: false, ledger: keepOpen(replica), alertIntervalMs: 50 })).app);
    const waitFor = async (ok: () => Promise<boolean>) => { for (let i = 0; i < 200 && !(await ok()); i++) await new Promise((r) => setTimeout(r, 50)); };
    await waitFor(async () => (await built.ledger.alerts({ limit: 10 }))[0]?.delivery.attempts >= 2);
    const failing = (await get('/alerts')).json().alerts[0];
    expect(failing.delivery).toMatchObject({ state: 'pending', last_error: expect.stringMatching(/ECONNREFUSED/) });
    const got = await receiver(port);
    await waitFor(async () => got.length > 0 && (await built.ledger.alerts({ limit: 10 }))[0]?.delivery.state === 'delivered');
    await new Promise((r) => setTimeout(r, 300));
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ signed: true, key: failing.id, body: { type: 'budget.threshold', subject: '0.8', tenant_id: 'acme' } });
    expect((await get('/alerts')).json().alerts).toMatchObject([{ subject: '0.8', delivery: { state: 'delivered', last_error: expect.any(String) } }]);
  });
});

describe('alert payloads', () => {
  it('speaks Slack incoming-webhook format on request', async () => {
    const { alertPayload } = await import('../../serving/alerts/webhook.js');
    const a = { id: 'alert_1', tenant_id: 'acme', kind: 'threshold' as const, subject: '0.8', window_start: 0, at: 0, spent_micros: 8e6, limit_micros: 1e7, message: 'm', delivery: { state: 'pending' as const, attempts: 0, next_at: 0 } };
    expect(JSON.parse(alertPayload(a, 'slack'))).toEqual({ text: expect.stringContaining('m') });
    expect(JSON.parse(alertPayload(a))).toMatchObject({ id: 'alert_1', spent_usd: 8, limit_usd: 10, window_start: null });
  });
});
