import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../serving/index.js';
import { FEATURE_SPEC_VERSION } from '../../features/index.js';
import { tempDir } from '../helpers/index.js';
import { ACME, ADMIN, GLOBEX, KEYS, apiPlan, auth, gpuPlan, modelDir } from './fixtures.js';

let app: FastifyInstance;
afterEach(async () => { await app?.close(); });

async function server(opts: Record<string, unknown> = {}) {
  const built = await buildServer({ modelDir: modelDir(), apiKeys: KEYS, watchModel: false, ...opts });
  app = built.app;
  return built;
}

const post = (url: string, payload: unknown, key = ACME) => app.inject({ method: 'POST', url, payload: payload as object, headers: auth(key) });

describe('POST /predict', () => {
  it('predicts one plan: P50 and P90 cost, the quantity, the prices with source and date, the model version', async () => {
    const { context } = await server();
    const r = await post('/predict', { tenant_id: 'acme', plan: gpuPlan() });
    expect(r.statusCode).toBe(200);
    const p = r.json();
    expect(p).toMatchObject({ feasible: true, tenant_id: 'acme', quantity: 'gpu_seconds', model_version: context.registry.model!.version });
    expect(p.p90).toBeGreaterThanOrEqual(p.p50);
    expect(p.p50_usd).toBeCloseTo((p.p50 * 3.99) / 3600, 9);
    expect(p.prices).toEqual({ gpu_usd_per_hour: 3.99, source: 'lambda us-east-1: https://lambda.ai/pricing', as_of: '2026-07-01' });
    const api = (await post('/predict', { tenant_id: 'acme', plan: apiPlan() })).json();
    expect(api).toMatchObject({ quantity: 'output_tokens', prices: { input_usd_per_mtok: 2.5, output_usd_per_mtok: 10 } });
    expect(api.p90).toBeLessThanOrEqual(50 * 1024);
    expect(api.p50_usd).toBeCloseTo((50 * 1000 * 2.5 + api.p50 * 10) / 1e6, 9);
  });

  it('predicts a batch, and uses prices given in the request', async () => {
    await server();
    const r = await post('/predict', { plans: [{ tenant_id: 'acme', plan: gpuPlan() }, { tenant_id: 'acme', plan: gpuPlan({ gpu_type: 'A100-80GB' }), prices: { gpu_usd_per_hour: 1 } }] });
    expect(r.statusCode).toBe(200);
    const [a, b] = r.json().predictions;
    expect(a.prices.gpu_usd_per_hour).toBe(3.99);
    expect(b.prices).toEqual({ source: 'request', gpu_usd_per_hour: 1 });
    expect(b.p50_usd).toBeCloseTo(b.p50 / 3600, 9);
  });

  it('answers an infeasible plan with the reason', async () => {
    await server();
    const r = await post('/predict', { tenant_id: 'acme', plan: gpuPlan({ prompt_tokens: 8000, max_output_tokens: 1000 }) });
    expect(r.json()).toEqual({ feasible: false, tenant_id: 'acme', reason: 'infeasible: prompt + output = 9000 tokens exceed the context window of llama-3-8b (8192)' });
  });
});

describe('open models the catalog lacks', () => {
  it('prices a model described by its architecture, checks its weights fit, and says how to describe an unknown one', async () => {
    await server();
    const model_arch = { params_b: 13, layers: 40, hidden_size: 5120, kv_heads: 8, head_dim: 128, context_window: 16384 };
    const r = (await post('/predict', { tenant_id: 'acme', plan: gpuPlan({ model: 'acme-corp/inhouse-13b', model_arch }) })).json();
    expect(r).toMatchObject({ feasible: true, quantity: 'gpu_seconds' });
    expect(r.p90_usd).toBeGreaterThan(0);
    const big = (await post('/predict', { tenant_id: 'acme', plan: gpuPlan({ model: 'acme-corp/inhouse-400b', model_arch: { ...model_arch, params_b: 400 }, gpu_type: 'T4' }) })).json();
    expect(big).toMatchObject({ feasible: false, reason: expect.stringMatching(/weights of acme-corp\/inhouse-400b/) });
    const unknown = await post('/predict', { tenant_id: 'acme', plan: gpuPlan({ model: 'acme-corp/mystery' }) });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.message).toMatch(/model_arch/);
  });
});

describe('every 4xx names what is wrong', () => {
  it('400 for schema violations, naming the field', async () => {
    await server();
    const cases: [unknown, string][] = [
      [{ tenant_id: 'acme', plan: gpuPlan({ gpu_count: 0 }) }, '/plan/gpu_count'],
      [{ tenant_id: 'acme', plan: { ...gpuPlan(), requests: undefined } }, '/plan/requests'],
      [{ tenant_id: 'acme', plan: gpuPlan({ precision: 'fp7' }) }, '/plan/precision'],
      [{ tenant_id: 'acme', plan: gpuPlan(), surprise: 1 }, '/surprise'],
      [{ tenant_id: 'acme' }, '/plan'],
      [{ plan: gpuPlan() }, '/tenant_id'],
    ];
    for (const [body, field] of cases) {
      const r = await post('/predict', body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json().error, JSON.stringify(body)).toMatchObject({ code: 'INVALID_REQUEST', field });
    }
    const noGpu = await post('/predict', { tenant_id: 'acme', plan: { ...gpuPlan(), gpu_type: undefined } });
    expect(noGpu.json().error.field).toBe('/plan/gpu_type');
    const json = await app.inject({ method: 'POST', url: '/predict', payload: '{"tenant_id": ', headers: { ...auth(ACME), 'content-type': 'application/json' } });
    expect(json.statusCode).toBe(400);
    expect(json.json().error.code).toBe('INVALID_REQUEST');
  });

  it('400 for an unknown GPU or model, with the closest names', async () => {
    await server();
    const r = await post('/predict', { tenant_id: 'acme', plan: gpuPlan({ gpu_type: 'NVIDIA L5 GPU' }) });
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toMatchObject({ code: 'UNKNOWN_NAME', field: '/plan/gpu_type' });
    expect(r.json().error.message).toMatch(/closest known: L4/);
    expect((await post('/predict', { tenant_id: 'acme', plan: apiPlan({ model: 'gpt-9' }) })).json().error).toMatchObject({ code: 'UNKNOWN_NAME', field: '/plan/model' });
  });

  it('401 without a key or with an unknown one; 403 across tenants', async () => {
    await server();
    expect((await app.inject({ method: 'POST', url: '/predict', payload: { tenant_id: 'acme', plan: gpuPlan() } })).statusCode).toBe(401);
    expect((await post('/predict', { tenant_id: 'acme', plan: gpuPlan() }, 'not-a-key-0123456789')).json().error.code).toBe('UNAUTHORIZED');
    const cross = await post('/predict', { tenant_id: 'acme', plan: gpuPlan() }, GLOBEX);
    expect(cross.statusCode).toBe(403);
    expect(cross.json().error).toMatchObject({ code: 'FORBIDDEN', field: 'tenant_id' });
    expect((await post('/predict', { plans: [{ tenant_id: 'globex', plan: gpuPlan() }, { tenant_id: 'acme', plan: gpuPlan() }] }, GLOBEX)).statusCode).toBe(403);
    await post('/budgets', { tenant_id: 'acme', limit_usd: 10 }, ADMIN);
    expect((await app.inject({ method: 'GET', url: '/budgets/acme', headers: auth(GLOBEX) })).statusCode).toBe(403);
    expect((await post('/preflight', { tenant_id: 'acme', plan: gpuPlan() }, GLOBEX)).statusCode).toBe(403);
    expect((await post('/budgets', { tenant_id: 'acme', limit_usd: 10 }, GLOBEX)).statusCode).toBe(403);
    expect((await post('/models/reload', {}, ACME)).statusCode).toBe(403);
  });

  it('404, 409, 413, 415 and 422', async () => {
    await server({ bodyLimit: 2048 });
    expect((await app.inject({ method: 'GET', url: '/nowhere' })).json().error.code).toBe('NOT_FOUND');
    expect((await app.inject({ method: 'GET', url: '/budgets/acme', headers: auth(ACME) })).json().error.code).toBe('BUDGET_NOT_FOUND');
    expect((await post('/budgets', { tenant_id: 'acme', limit_usd: 10 }, ADMIN)).statusCode).toBe(201);
    expect((await post('/budgets', { tenant_id: 'acme', limit_usd: 10 }, ADMIN)).statusCode).toBe(409);
    expect((await post('/budgets/acme/reservations/res_nope/settle', { cost_usd: 1 })).json().error.code).toBe('RESERVATION_NOT_FOUND');
    const big = await post('/predict', { plans: Array.from({ length: 30 }, () => ({ tenant_id: 'acme', plan: gpuPlan() })) });
    expect(big.statusCode).toBe(413);
    const text = await app.inject({ method: 'POST', url: '/predict', payload: '<plan/>', headers: { ...auth(ACME), 'content-type': 'application/xml' } });
    expect(text.statusCode).toBe(415);
    const infeasible = await post('/preflight', { tenant_id: 'acme', plan: gpuPlan({ prompt_tokens: 8000, max_output_tokens: 1000 }) });
    expect(infeasible.statusCode).toBe(422);
    expect(infeasible.json().error.code).toBe('INFEASIBLE_PLAN');
  });

  it('never sends a stack trace', async () => {
    await server();
    for (const r of [await post('/predict', { tenant_id: 'acme', plan: gpuPlan({ gpu_count: 0 }) }), await post('/predict', {}, 'bad-key-0123456789abc')]) {
      expect(r.body).not.toMatch(/ at .*\.(ts|js):\d+/);
      expect(r.json().error.stack).toBeUndefined();
    }
  });
});

describe('operations', () => {
  it('health, readiness, OpenAPI and Prometheus metrics', async () => {
    const { context } = await server();
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await app.inject({ method: 'GET', url: '/readyz' })).json().ready).toBe(true);
    const spec = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(spec.openapi).toMatch(/^3\./);
    for (const p of ['/predict', '/preflight', '/budgets', '/budgets/{tenant_id}', '/models', '/metrics']) expect(spec.paths, p).toHaveProperty([p]);
    await post('/predict', { tenant_id: 'acme', plan: gpuPlan() });
    await post('/budgets', { tenant_id: 'acme', limit_usd: 10 }, ADMIN);
    await post('/preflight', { tenant_id: 'acme', plan: gpuPlan() });
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    const m = (await app.inject({ method: 'GET', url: '/metrics', headers: auth(ACME) })).body;
    expect(m).toMatch(/lutflow_http_requests_total\{method="POST",route="\/predict",status="200"\} 1/);
    expect(m).toMatch(/lutflow_http_request_duration_seconds_bucket\{route="\/predict",le="\+Inf"\} 1/);
    expect(m).toMatch(/lutflow_predictions_total\{outcome="ok",quantity="gpu_seconds"\} 2/);
    expect(m).toMatch(/lutflow_budget_decisions_total\{decision="allow"\} 1/);
    expect(m).toContain(`lutflow_model_info{feature_spec="${FEATURE_SPEC_VERSION}",version="${context.registry.model!.version}"} 1`);
  });

  it('serves over real HTTP', async () => {
    await server();
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const ok = await fetch(`${address}/predict`, { method: 'POST', headers: { ...auth(ACME), 'content-type': 'application/json' }, body: JSON.stringify({ tenant_id: 'acme', plan: apiPlan() }) });
    expect(ok.status).toBe(200);
    expect((await ok.json()).quantity).toBe('output_tokens');
    const denied = await fetch(`${address}/predict`, { method: 'POST', headers: { ...auth(GLOBEX), 'content-type': 'application/json' }, body: JSON.stringify({ tenant_id: 'acme', plan: apiPlan() }) });
    expect(denied.status).toBe(403);
  });

  it('is not ready without a model, and says so', async () => {
    const { app: bare } = await buildServer({ modelDir: tempDir(), apiKeys: KEYS, watchModel: false });
    app = bare;
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
    const r = await post('/predict', { tenant_id: 'acme', plan: gpuPlan() });
    expect(r.statusCode).toBe(503);
    expect(r.json().error.code).toBe('MODEL_UNAVAILABLE');
  });
});

describe('extrapolation', () => {
  it('flags a plan on an accelerator the model never learned from, and answers it with the hardware-blind model', async () => {
    const { context } = await server();
    const card = context.registry.model!.card.targets.gpu_seconds!;
    expect(card.hardware_seen!.length).toBeGreaterThan(0);
    expect(Number.isFinite(card.unseen_hardware!.p90_conformal_offset)).toBe(true);
    const seen = (await post('/predict', { tenant_id: 'acme', plan: gpuPlan({ gpu_type: 'H100' }) })).json();
    expect(seen.unseen_hardware).toBeUndefined();
    // The sample the test model learned from has no MI250 run.
    const unseen = (await post('/predict', { tenant_id: 'acme', launched_at: '2026-11-01T00:00:00Z', plan: gpuPlan({ gpu_type: 'MI250' }) })).json();
    expect(unseen).toMatchObject({ feasible: true, unseen_hardware: true });
    expect(unseen.p90).toBeGreaterThan(unseen.p50);
    expect(unseen.p50).toBeGreaterThan(0);
  });
});
