import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import type { TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../serving/index.js';
import { AlertView, BudgetView, ModelDescription } from '../../serving/routes/dashboard/schemas.js';
import { READ_ROUTES, WRITE_ROUTES } from '../../ui/src/api/routes.js';
import { tempDir } from '../helpers/index.js';
import { ACME, ADMIN, GLOBEX, KEYS, auth, event, sampleModel, type SampleModel } from './fixtures.js';

let sample: SampleModel;
let app: FastifyInstance;
const now = Date.parse('2026-11-10T12:00:00.000Z');
const assets = tempDir('lutflow-ui-assets-');

beforeAll(async () => {
  sample = await sampleModel();
  mkdirSync(join(assets, 'assets'));
  writeFileSync(join(assets, 'index.html'), '<!doctype html><title>Lutflow</title><script type="module" src="/ui/assets/app-1.js"></script>');
  writeFileSync(join(assets, 'assets', 'app-1.js'), `console.log(${JSON.stringify('x'.repeat(4000))});`);
  process.env.LUTFLOW_UI_DIR = assets;
  ({ app } = await buildServer({ modelDir: sample.modelDir, apiKeys: KEYS, watchModel: false, alertIntervalMs: 0, clock: () => now }));
  for (const tenant of ['acme', 'globex']) await post('/budgets', { tenant_id: tenant, limit_usd: 100, window: 'monthly' }, ADMIN);
});
afterAll(async () => { await app?.close(); });

const get = (url: string, key = ADMIN) => app.inject({ method: 'GET', url, headers: auth(key) });
const post = (url: string, payload: unknown, key = ADMIN) => app.inject({ method: 'POST', url, payload: payload as object, headers: auth(key) });
const tenantOf = (body: { tenants: { tenant_id: string }[] }, id: string) => body.tenants.find((t) => t.tenant_id === id) as never as Record<string, any>;

describe('dashboard routes', () => {
  it('spend: what the ledger charged from telemetry, in 10-second windows and by model, provider, deployment and token kind', async () => {
    const at = now - 30_000;
    const events = [
      event(at, { event_id: 'a1', tokens: { input: 1000, cached_input: 200, output: 300, reasoning: 50 }, cost_usd_micros: 1_250_000 }),
      event(at + 1_000, { event_id: 'a2', provider: 'self_hosted', model: 'llama-3-8b', deployment_id: 'acme-llama', gpu: { type: 'H100', count: 2, seconds: 10 }, cost_usd_micros: 500_000 }),
      event(at + 12_000, { event_id: 'a3', tokens: { input: 10, cache_write: 5, output: 1 }, cost_usd_micros: 250_000 }),
    ];
    expect((await post('/telemetry', { events }, ACME)).json()).toMatchObject({ accepted: 3 });
    // The same batch again (a retry after a 503), an event of a tenant without a budget, one too old to charge and
    // one that is not an event: none counts.
    const again = await post('/telemetry', {
      events: [...events, event(at, { tenant_id: 'nobudget' }), event(now - 3 * 86_400_000), { tenant_id: 'acme', cost_usd_micros: 5 }],
    }, ADMIN);
    expect(again.json()).toMatchObject({ duplicates: 3, without_budget: 1 });
    expect(again.json().rejected.map((r: { index: number }) => r.index)).toEqual([4, 5]);
    const body = (await get('/spend')).json();
    expect(body.window_seconds).toBe(10);
    const acme = tenantOf(body, 'acme');
    const ledger = (await get('/budgets/acme')).json();
    expect(acme.metered.spend_micros).toBe(2_000_000);
    expect(acme.metered.spend_micros).toBe(ledger.spent_micros);
    expect(acme.metered.tokens).toEqual({ input: 1010, cached_input: 200, cache_write: 5, output: 301, reasoning: 50 });
    expect(acme.metered.gpu_seconds).toBe(20);
    expect(acme.metered.by_model.map((m: { name: string }) => m.name)).toEqual(['gpt-4o', 'llama-3-8b']);
    expect(acme.metered.by_provider).toEqual([
      { name: 'openai', spend_micros: 1_500_000, spend_usd: 1.5, calls: 2 }, { name: 'self_hosted', spend_micros: 500_000, spend_usd: 0.5, calls: 1 },
    ]);
    expect(acme.metered.by_deployment).toEqual([{ name: 'acme-llama', spend_micros: 500_000, spend_usd: 0.5, calls: 1 }]);
    expect(acme.metered.daily).toEqual([{ day: '2026-11-10', spend_micros: 2_000_000, spend_usd: 2, calls: 3 }]);
    const tenantWindows = acme.windows.filter((w: { scope: string }) => w.scope === 'tenant');
    expect(tenantWindows.map((w: { spend_micros: number }) => w.spend_micros)).toEqual([1_750_000, 250_000]);
    expect(tenantWindows.reduce((s: number, w: { spend_micros: number }) => s + w.spend_micros, 0)).toBe(ledger.spent_micros);
    expect(tenantWindows[0]).toMatchObject({ closed: true, calls: 2, window_start: '2026-11-10T11:59:30.000Z' });
    expect(acme.windows.filter((w: { scope: string }) => w.scope === 'deployment')).toMatchObject([{ key: 'acme-llama', gpu_seconds: 20 }]);
    expect(body.tenants.map((t: { tenant_id: string }) => t.tenant_id)).not.toContain('nobudget');
  });

  it('the run table: spend of finished runs per tenant, and the model\'s predictions marked in sample for the runs it learned from', async () => {
    const body = (await get('/spend')).json();
    expect(body.run_table).toMatchObject({ source: sample.table, delta_version: 1, trained_on_version: 0, error: null });
    const finished = [...sample.trained, ...sample.later].filter((r) => r.outcome);
    const acmeRuns = finished.filter((r) => r.tenant_id === 'acme');
    expect(tenantOf(body, 'acme').runs.spend_micros).toBe(acmeRuns.reduce((s, r) => s + r.outcome!.cost_usd_micros, 0));
    expect(tenantOf(body, 'acme').runs.calls).toBe(acmeRuns.length);
    const acc = (await get('/models/accuracy')).json();
    const inSample = new Set(sample.trained.map((r) => r.run_id));
    expect(acc.points.length).toBe(Math.min(500, finished.length));
    for (const p of acc.points) expect(p.in_sample).toBe(inSample.has(p.run_id));
    expect(acc.in_sample.runs + acc.out_of_sample.runs).toBe(finished.length);
    expect(acc.out_of_sample.runs).toBe(sample.later.filter((r) => r.outcome).length);
    expect(acc.basis).toBe('out_of_sample');
    expect(acc.out_of_sample.p90_coverage).toBeGreaterThan(50);
    expect(acc.by_group.length).toBeGreaterThan(1);
    expect(acc.by_day.reduce((s: number, d: { runs: number }) => s + d.runs, 0)).toBe(acc.out_of_sample.runs);
  });

  it('runs: a reserved pre-flight runs until settled, then counts in the model\'s accuracy; a denied one lists its alternatives', async () => {
    const plan = { kind: 'self_hosted', model: 'llama-3-8b', gpu_type: 'H100', gpu_count: 1, framework: 'vllm', batch_size: 16, requests: 64, prompt_tokens: 512, max_output_tokens: 256 };
    const a = (await post('/preflight', { tenant_id: 'globex', run_id: 'g-1', plan }, GLOBEX)).json();
    expect(a.decision).toBe('allow');
    let runs = (await get('/runs?tenant_id=globex', GLOBEX)).json();
    expect(runs.runs[0]).toMatchObject({
      run_id: 'g-1', status: 'running', source: 'preflight', reservation_id: a.reservation.id, predicted_p90_usd: a.predicted_p90_usd, actual_usd: null,
    });
    await post(`/budgets/globex/reservations/${a.reservation.id}/settle`, { cost_usd: 0.5 }, GLOBEX);
    runs = (await get('/runs?tenant_id=globex', GLOBEX)).json();
    expect(runs.runs[0]).toMatchObject({ run_id: 'g-1', status: 'settled', actual_usd: 0.5 });
    const acc = (await get('/models/accuracy?tenant_id=globex', GLOBEX)).json();
    expect(acc.points.find((p: { source: string }) => p.source === 'preflight')).toMatchObject({ run_id: 'g-1', actual_usd: 0.5, in_sample: false });
    const big = { ...plan, model: 'llama-3-70b', gpu_type: 'H200', gpu_count: 2, requests: 640_000 };
    const d = (await post('/preflight', { tenant_id: 'globex', run_id: 'g-2', plan: big }, GLOBEX)).json();
    expect(d.decision).toBe('deny');
    runs = (await get('/runs?limit=3', GLOBEX)).json();
    expect(runs.runs.filter((r: { source: string }) => r.source === 'run_table')).toHaveLength(3);
    expect((await get('/runs?limit=0', GLOBEX)).statusCode).toBe(400);
    expect(runs.denied[0]).toMatchObject({ run_id: 'g-2', reason: d.reason, predicted_p90_usd: d.predicted_p90_usd });
    expect(runs.denied[0].alternatives.map((x: { change: string }) => x.change)).toEqual(d.alternatives.map((x: { change: string }) => x.change));
    const r = (await post('/preflight', { tenant_id: 'globex', plan }, GLOBEX)).json();
    await post(`/budgets/globex/reservations/${r.reservation.id}/release`, {}, GLOBEX);
    expect((await get('/runs?tenant_id=globex', GLOBEX)).json().runs[0]).toMatchObject({ status: 'released', actual_usd: null });
  });

  it('a tenant key sees only its tenants; another tenant is refused', async () => {
    for (const url of ['/spend', '/runs', '/models/accuracy']) {
      const mine = (await get(url, ACME)).json();
      const tenants = new Set([
        ...(mine.tenants ?? []).map((t: { tenant_id: string }) => t.tenant_id),
        ...(mine.runs ?? mine.points ?? []).map((t: { tenant_id: string }) => t.tenant_id),
        ...(mine.denied ?? []).map((t: { tenant_id: string }) => t.tenant_id),
      ]);
      expect([...tenants]).toEqual(['acme']);
      const other = await get(`${url}?tenant_id=globex`, ACME);
      expect(other.statusCode).toBe(403);
      expect((await app.inject({ method: 'GET', url })).statusCode).toBe(401);
    }
    expect((await get('/auth/scope', ACME)).json()).toEqual({ name: null, admin: false, tenants: ['acme'] });
    expect((await get('/auth/scope')).json()).toEqual({ name: 'ops', admin: true, tenants: ['*'] });
  });

  it('serves the built pages from memory under /ui, gzip when asked, with a content security policy', async () => {
    const page = await app.inject({ method: 'GET', url: '/ui' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    const js = await app.inject({ method: 'GET', url: '/ui/assets/app-1.js', headers: { 'accept-encoding': 'gzip' } });
    expect(js.headers['content-encoding']).toBe('gzip');
    expect(js.headers['cache-control']).toMatch(/immutable/);
    for (const url of ['/ui/../package.json', '/ui/assets/../../package.json', '/ui/%2e%2e/package.json', '/ui/nothing.js']) {
      expect((await app.inject({ method: 'GET', url })).statusCode).toBe(404);
    }
  });

  it('the OpenAPI document lists the dashboard routes with their answers; the answers the dashboard reads from other routes fit its types', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const path of ['/spend', '/runs', '/models/accuracy', '/auth/scope']) expect(doc.paths[path].get.responses['200'].content).toBeDefined();
    expect(doc.paths['/ui']).toBeUndefined();
    // Every route the front end calls is in the contract.
    for (const path of READ_ROUTES) expect(doc.paths[path]?.get, `GET ${path}`).toBeDefined();
    for (const w of WRITE_ROUTES) expect(doc.paths[w.path]?.[w.method], `${w.method} ${w.path}`).toBeDefined();
    await post('/preflight', { tenant_id: 'acme', plan: { kind: 'api', provider: 'openai', model: 'gpt-4o', batch_size: 1, requests: 1e6, prompt_tokens: 5000, max_output_tokens: 4096 } }, ACME);
    const ajv = new Ajv({ strict: false }).addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)) && /T.*(Z|[+-]\d\d:\d\d)$/.test(s));
    const check = (schema: TSchema, value: unknown) => expect(ajv.validate(schema, value) ? 'ok' : ajv.errorsText()).toBe('ok');
    const budgets = (await get('/budgets')).json().budgets;
    expect(budgets.length).toBe(2);
    for (const b of budgets) check(BudgetView, b);
    const alerts = (await get('/alerts')).json().alerts;
    expect(alerts.some((a: { kind: string }) => a.kind === 'deny')).toBe(true);
    for (const a of alerts) check(AlertView, a);
    check(ModelDescription, (await get('/models')).json());
  });
});
