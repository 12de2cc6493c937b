import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type ServerOptions } from '../../serving/app.js';
import { GpuMeter } from '../../serving/deployments/meter.js';
import type { DeploymentSettings } from '../../serving/deployments/options.js';
import type { DeploymentView } from '../../serving/deployments/view.js';
import { ACME, ADMIN, auth, GLOBEX, KEYS, modelDir } from '../serving/fixtures.js';
import { groupAlive, modelServerCommand, until } from './helpers.js';

const TICK_MS = 100;
let app: FastifyInstance;

async function server(deployments: DeploymentSettings = {}): Promise<FastifyInstance> {
  const opts: ServerOptions & { deployments: DeploymentSettings } = {
    modelDir: modelDir(), apiKeys: KEYS, watchModel: false, alertIntervalMs: 0,
    deployments: { tickMs: TICK_MS, graceMs: 1500, healthTimeoutMs: 4000, ...deployments },
  };
  return (await buildServer(opts)).app;
}

const post = (url: string, payload: object, key = ACME) => app.inject({ method: 'POST', url, payload, headers: auth(key) });
const get = (url: string, key = ACME) => app.inject({ method: 'GET', url, headers: auth(key) });
const view = async (id: string): Promise<DeploymentView> => (await get(`/deployments/${id}`, ADMIN)).json();
const budget = async (tenant: string) => (await get(`/budgets/${encodeURIComponent(tenant)}`, ADMIN)).json();
const deploy = (over: object, key = ACME) => post('/deployments', {
  tenant_id: 'acme', model: 'TinyLlama/TinyLlama-1.1B-Chat-v1.0', gpu_type: 'L4', gpu_count: 1, command: modelServerCommand(), ...over,
}, key === ACME ? ADMIN : key);
const settled = (id: string) => until(async () => (await view(id)).settled !== null, `${id} settled`);

beforeAll(async () => {
  process.env.LUTFLOW_TEST_SECRET = 'not for the model server';
  app = await server();
  await post('/budgets', { tenant_id: 'acme', limit_usd: 10 }, ADMIN);
  await post('/budgets', { tenant_id: 'globex', limit_usd: 0.001 }, ADMIN);
});
afterAll(async () => app?.close());

describe('a deployment under a budget (local runtime, a real model server process)', () => {
  it('runs, is metered every tick, and is killed at the crossing of its budget, spend metered until the server was gone', async () => {
    const rate = (await deploy({ max_duration_s: 0.001 })).json().deployment; // a probe for the price in force
    await settled(rate.id);
    const perHourMicros = rate.prediction.micros_per_gpu_hour;
    const budgetMicros = Math.round((perHourMicros * 3) / 3600); // about 3 seconds of the GPU
    const r = await deploy({ budget_usd: budgetMicros / 1e6 });
    expect(r.statusCode).toBe(201);
    const d: DeploymentView = r.json().deployment;
    expect(d).toMatchObject({ state: 'starting', scope: `acme/deployment:${d.id}`, prediction: { basis: 'budget', hold_micros: budgetMicros } });
    await until(async () => (await view(d.id)).state === 'running', 'running');
    const running = await view(d.id);
    expect(groupAlive(running.pgid!)).toBe(true);
    const completion = await fetch(`${running.endpoint}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }) });
    expect((await completion.json()).choices[0].message.content).toMatch(/Hello/);
    // The server's secrets (LUTFLOW_API_KEYS, the ledger URL …) stay out of the model server's environment.
    const env: string[] = await (await fetch(`${running.endpoint}/env`)).json();
    expect(env).toContain('PATH');
    expect(env.filter((k) => k.startsWith('LUTFLOW_'))).toEqual([]);
    await until(async () => (await view(d.id)).state === 'killed', 'killed at the budget');
    await settled(d.id);
    const end = await view(d.id);
    const tickMicros = Math.ceil((perHourMicros * TICK_MS) / 3_600_000);
    expect(end).toMatchObject({ reason: 'budget', stopped_by: 'meter' });
    // Not stopped early; the spend is the metered time until the server was gone, exactly; and what passed the
    // budget is no more than the kill's own time (plus one tick, the backstop's bound for a timer that fired late).
    const meter = new GpuMeter(Date.parse(end.started_at!), 1, perHourMicros);
    expect(end.spent_micros).toBeGreaterThanOrEqual(budgetMicros - tickMicros);
    expect(end.spent_micros).toBe(meter.costAt(Date.parse(end.metered_until!)));
    expect(end.spent_micros - budgetMicros).toBeLessThanOrEqual(meter.nextCost(meter.startedAt, end.stop!.latency_ms! + TICK_MS));
    expect(end.ticks).toBeGreaterThan(10);
    expect(groupAlive(running.pgid!)).toBe(false);
    // The ledger agrees: the scope's spend is what was metered, nothing held any more, and the tenant's includes it.
    const scope = await budget(end.scope);
    expect(scope).toMatchObject({ spent_micros: end.spent_micros, reserved_micros: 0 });
    expect(end.settled!.micros).toBe(end.spent_micros);
    expect(end.stop!.latency_ms).toBeGreaterThanOrEqual(0);
    const alerts = (await get('/alerts', ADMIN)).json().alerts as { kind: string; subject: string }[];
    expect(alerts.some((a) => a.kind === 'kill' && a.subject === `deployment ${d.id}`)).toBe(true);
    const report = (await get(`/deployments/${d.id}/report`)).json();
    expect(report.actual.spent_micros).toBe(end.spent_micros);
    expect(report.predicted.hold_usd).toBe(budgetMicros / 1e6);
  });

  it('refuses a deploy that does not fit before anything starts, with alternatives', async () => {
    const r = await post('/deployments', {
      tenant_id: 'globex', model: 'llama-3-8b', gpu_type: 'H100', gpu_count: 2, max_duration_s: 3600, command: modelServerCommand(),
    }, ADMIN);
    expect(r.statusCode).toBe(409);
    const body = r.json();
    expect(body.error.code).toBe('DEPLOYMENT_DENIED');
    expect(body.prediction.hold_usd).toBeGreaterThan(0.001);
    expect(body.alternatives.length).toBeGreaterThan(0);
    expect(body.alternatives.at(-1)).toMatchObject({ budget_usd: 0.001 });
    expect((await get('/deployments', GLOBEX)).json().deployments).toEqual([]);
    // With a workload, the model's P90 for it must fit the budget; cheaper GPU choices that fit are offered.
    const w = await post('/deployments', {
      tenant_id: 'acme', model: 'llama-3-70b', gpu_type: 'H100', gpu_count: 8, budget_usd: 0.5, command: modelServerCommand(),
      workload: { requests: 20_000, batch_size: 32, prompt_tokens: 1024, max_output_tokens: 512 },
    }, ADMIN);
    expect(w.statusCode).toBe(409);
    expect(w.json().reason).toMatch(/predicted P90 .* exceeds the deployment's budget/);
    expect(w.json().prediction.p90_usd).toBeGreaterThan(0.5);
    for (const a of w.json().alternatives) expect(a.p90_usd).toBeLessThanOrEqual(0.5);
  });

  it('a $0 budget starts nothing: a hold that rounds to 0 is refused by field, and nothing fits what does not remain', async () => {
    await post('/budgets', { tenant_id: 'initech', limit_usd: 0 }, ADMIN);
    const base = { tenant_id: 'initech', model: 'llama-3-8b', gpu_type: 'H100', gpu_count: 8, command: modelServerCommand() };
    const tiny = await post('/deployments', { ...base, budget_usd: 1e-9 }, ADMIN);
    expect([tiny.statusCode, tiny.json().error]).toMatchObject([400, { code: 'INVALID_REQUEST', field: '/budget_usd' }]);
    const short = await post('/deployments', { ...base, max_duration_s: 1e-6 }, ADMIN);
    expect([short.statusCode, short.json().error]).toMatchObject([400, { code: 'INVALID_REQUEST', field: '/max_duration_s' }]);
    const any = await post('/deployments', { ...base, budget_usd: 0.5 }, ADMIN);
    expect(any.json().error.code).toBe('DEPLOYMENT_DENIED');
    expect((await get('/deployments?tenant_id=initech', ADMIN)).json().deployments).toEqual([]);
    expect((await get('/budgets/initech', ADMIN)).json()).toMatchObject({ spent_micros: 0, reserved_micros: 0 });
  });

  it('ends a crash, a hung health check and a kill during start-up each in a clear state, spend settled', async () => {
    const crash = (await deploy({ budget_usd: 1, command: modelServerCommand('--crash-after-ms', '700') })).json().deployment;
    const hung = (await deploy({ budget_usd: 1, command: modelServerCommand('--hang-health') })).json().deployment;
    const slow = (await deploy({ budget_usd: 1, command: modelServerCommand('--startup-ms', '60000') })).json().deployment;
    const killed = (await post(`/deployments/${slow.id}/kill`, { reason: 'overspend' })).json();
    expect(killed).toMatchObject({ state: 'killed', reason: 'overspend', stopped_by: 'user' });
    await Promise.all([crash, hung].map((d) => until(async () => ['failed', 'killed'].includes((await view(d.id)).state), `${d.id} ended`)));
    for (const [d, state, reason] of [[crash, 'failed', 'crashed'], [hung, 'failed', 'health_timeout'], [slow, 'killed', 'overspend']] as const) {
      await settled(d.id);
      const v = await view(d.id);
      expect(v, d.id).toMatchObject({ state, reason });
      expect(v.spent_micros, d.id).toBeGreaterThan(0);
      expect(v.settled!.micros).toBe(v.spent_micros);
      expect(groupAlive(v.pgid!)).toBe(false);
      expect(await budget(v.scope)).toMatchObject({ spent_micros: v.spent_micros, reserved_micros: 0 });
    }
    expect((await view(crash.id)).exit).toMatchObject({ code: 3 });
    // A command that cannot start at all is answered at once: failed, nothing spent, nothing held.
    const none = (await deploy({ budget_usd: 1, command: ['/nonexistent/model-server', '--port', '{port}'] })).json().deployment;
    expect(none).toMatchObject({ state: 'failed', reason: 'start_failed', spent_micros: 0, settled: { micros: 0 } });
    expect(none.message).toMatch(/cannot start '\/nonexistent\/model-server'/);
    expect(await budget(none.scope)).toMatchObject({ spent_micros: 0, reserved_micros: 0 });
  });

  it('stops at the max duration whatever the budget; warn runs on past the budget with an alert; a workload that fits is allowed', async () => {
    const timed = (await deploy({ budget_usd: 5, max_duration_s: 1.5 })).json().deployment;
    const warned = (await deploy({ budget_usd: 0.000005, strategy: 'warn' })).json().deployment;
    const work = await deploy({ model: 'llama-3-8b', budget_usd: 5, workload: { requests: 64, batch_size: 16, prompt_tokens: 512, max_output_tokens: 256 } });
    expect(work.statusCode).toBe(201);
    expect(work.json().deployment.prediction).toMatchObject({ basis: 'workload', hold_micros: 5_000_000 });
    expect(work.json().deployment.prediction.p90_usd).toBeGreaterThan(0);
    expect(work.json().deployment.prediction.p90_usd).toBeLessThanOrEqual(5);
    await until(async () => (await view(timed.id)).settled !== null, 'the max duration');
    const t = await view(timed.id);
    expect(t).toMatchObject({ state: 'killed', reason: 'max_duration', stopped_by: 'meter' });
    expect(Date.parse(t.stop!.decided_at) - Date.parse(t.started_at!)).toBeGreaterThanOrEqual(1500);
    await until(async () => (await view(warned.id)).warned, 'the warning');
    const w = await view(warned.id);
    expect(w.state).toMatch(/starting|running/);
    const alerts = (await get('/alerts', ADMIN)).json().alerts as { kind: string; subject: string; message: string }[];
    expect(alerts.find((a) => a.subject === `deployment ${warned.id}`)?.message).toMatch(/reached its budget; running on/);
    await until(async () => (await view(warned.id)).spent_micros > 10, 'spend past the budget');
    for (const d of [warned, work.json().deployment]) await post(`/deployments/${d.id}/kill`, { reason: 'done' });
    expect((await view(warned.id)).spent_micros).toBeGreaterThan(5);
  });

  it('kills a server that ignores SIGTERM with SIGKILL after the grace period, its whole process group', async () => {
    const d = (await deploy({ budget_usd: 1, command: modelServerCommand('--ignore-sigterm', '--child') })).json().deployment;
    await until(async () => (await view(d.id)).state === 'running', 'running');
    const t0 = Date.now();
    const v = (await app.inject({ method: 'POST', url: `/deployments/${d.id}/kill`, headers: auth(ADMIN) })).json();
    expect(v).toMatchObject({ state: 'killed', reason: 'user', stop: { forced: true } });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
    expect(groupAlive(v.pgid)).toBe(false);
  });

  it('scopes deployments to the key\'s tenants and checks what a request may ask', async () => {
    const d = (await deploy({ budget_usd: 1 })).json().deployment;
    expect((await get(`/deployments/${d.id}`, GLOBEX)).statusCode).toBe(404);
    expect((await post(`/deployments/${d.id}/kill`, { reason: 'x' }, GLOBEX)).statusCode).toBe(404);
    expect((await get('/deployments', GLOBEX)).json().deployments.map((x: DeploymentView) => x.id)).not.toContain(d.id);
    expect((await get('/deployments', ACME)).json().deployments.map((x: DeploymentView) => x.id)).toContain(d.id);
    const forbidden = await post('/deployments', { tenant_id: 'acme', model: 'm', gpu_type: 'L4', gpu_count: 1, budget_usd: 1, command: ['sh', '-c', 'id'] }, ACME);
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().error.field).toBe('/command');
    const unbounded = await post('/deployments', { tenant_id: 'acme', model: 'm', gpu_type: 'L4', gpu_count: 1 }, ACME);
    expect(unbounded.json().error).toMatchObject({ code: 'INVALID_REQUEST', field: '/budget_usd' });
    expect((await post('/deployments', { tenant_id: 'acme', model: 'm', gpu_type: 'L5', gpu_count: 1, budget_usd: 1 }, ACME)).json().error.code).toBe('UNKNOWN_NAME');
    expect((await post('/deployments', { tenant_id: 'acme', model: 'llama-3-70b', gpu_type: 'L4', gpu_count: 1, budget_usd: 1 }, ACME)).json().error.code).toBe('INFEASIBLE_PLAN');
    expect((await post('/deployments', { tenant_id: 'acme', model: 'm', gpu_type: 'L4', gpu_count: 1, budget_usd: 1, runtime: 'kubernetes' }, ACME)).json().error.field).toBe('/runtime');
    expect((await post('/deployments', { tenant_id: 'acme', model: '--evil', gpu_type: 'L4', gpu_count: 1, budget_usd: 1 }, ACME)).json().error.field).toBe('/model');
    expect((await post(`/deployments/${d.id}/kill`, { reason: 'x'.repeat(201) })).json().error.field).toBe('/reason');
    expect((await post(`/deployments/${d.id}/kill`, { reason: 'done', extra: 1 })).statusCode).toBe(400);
    await post(`/deployments/${d.id}/kill`, { reason: 'done' });
  });

  it('streams state changes, spend ticks and cost windows as server-sent events', async () => {
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const res = await fetch(`${address}/deployments/events`, { headers: auth(ACME) });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const seen: { event: string; data: Record<string, unknown> }[] = [];
    let buf = '';
    const pump = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += new TextDecoder().decode(value);
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) seen.push({ event, data: JSON.parse(data) });
        }
      }
    })();
    const d = (await deploy({ budget_usd: 1 })).json().deployment;
    await until(async () => (await view(d.id)).state === 'running', 'running');
    await until(() => seen.some((e) => e.event === 'window' && (e.data.window as { key: string }).key === d.id), 'a window event');
    await post(`/deployments/${d.id}/kill`, { reason: 'done' });
    await until(() => seen.some((e) => e.event === 'state' && (e.data.deployment as DeploymentView).state === 'killed'), 'the killed state');
    expect(seen[0].event).toBe('snapshot');
    const states = seen.filter((e) => e.event === 'state' && (e.data.deployment as DeploymentView).id === d.id).map((e) => (e.data.deployment as DeploymentView).state);
    expect(states).toEqual(expect.arrayContaining(['starting', 'running', 'stopping', 'killed']));
    const ticks = seen.filter((e) => e.event === 'tick').map((e) => (e.data.deployment as DeploymentView).spent_micros);
    expect(ticks.length).toBeGreaterThan(2);
    expect(ticks).toEqual([...ticks].sort((a, b) => a - b));
    await reader.cancel();
    await pump.catch(() => {});
  });
});

describe('hostile requests', () => {
  it('answers any body with a 4xx naming a field, or a decision: never a 500, never a command from a tenant key', async () => {
    const field = fc.oneof(fc.string(), fc.constantFrom('../../etc', '-rf', '$(id)', 'x'.repeat(300), '\u0000'), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.object({ maxDepth: 1 }));
    // Mostly valid values, each field now and then replaced by anything at all; hostile strings among them.
    const or = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ arbitrary: valid, weight: 12 }, { arbitrary: field, weight: 1 });
    const body = fc.record({
      tenant_id: or(fc.constantFrom('acme', 'acme/team', 'globex')), model: or(fc.constantFrom('tiny', 'llama-3-8b', 'llama-3-70b')),
      gpu_type: or(fc.constantFrom('L4', 'H100', 'nvidia-l4', 'MI300X')), gpu_count: or(fc.integer({ min: 1, max: 8 })),
      budget_usd: or(fc.integer({ min: 1, max: 2_000_000 }).map((m) => m / 1e6)), max_duration_s: or(fc.integer({ min: 1, max: 86_400 })),
      runtime: or(fc.constant('local')), strategy: or(fc.constantFrom('kill', 'warn', 'scale_to_zero')),
      workload: or(fc.record({ requests: fc.integer({ min: 64, max: 1e4 }), batch_size: fc.integer({ min: 1, max: 64 }), prompt_tokens: fc.integer({ min: 0, max: 2000 }), max_output_tokens: fc.integer({ min: 1, max: 1000 }) })),
    }, { requiredKeys: ['tenant_id', 'model', 'gpu_type', 'gpu_count', 'budget_usd'] }).chain((b) => fc.oneof(
      { arbitrary: fc.constant(b), weight: 6 },
      { arbitrary: fc.array(fc.string(), { minLength: 1, maxLength: 3 }).map((command) => ({ ...b, command })), weight: 1 },
      { arbitrary: field.map((extra) => ({ ...b, extra })), weight: 1 },
    ));
    const started: string[] = [];
    const codes = new Map<number, number>();
    await fc.assert(fc.asyncProperty(body, async (b) => {
      const r = await post('/deployments', b, ACME);
      codes.set(r.statusCode, (codes.get(r.statusCode) ?? 0) + 1);
      expect(r.statusCode, r.body).toBeLessThan(500);
      if (r.statusCode === 201) started.push(r.json().deployment.id);
      else if (r.statusCode !== 409) expect(r.json().error.code).toMatch(/^[A-Z_]+$/);
      if ((b as { command?: string[] }).command !== undefined && (b as { command?: string[] }).command!.length) expect(r.statusCode).not.toBe(201);
    }), { numRuns: 150 });
    // The generator reaches every kind of answer: schema errors, refusals by the pre-flight, and starts.
    expect([...codes.keys()]).toEqual(expect.arrayContaining([201, 400, 409]));
    for (const id of started) await post(`/deployments/${id}/kill`, { reason: 'fuzz' }, ADMIN);
  });
});

describe('a server that stops', () => {
  it('stops its deployments and settles them when it closes', async () => {
    const own = await server();
    const r = await own.inject({
      method: 'POST', url: '/deployments', headers: auth(ADMIN),
      payload: { tenant_id: 'initech', model: 'tiny', gpu_type: 'T4', gpu_count: 1, budget_usd: 1, command: modelServerCommand() },
    });
    const d: DeploymentView = r.json().deployment;
    await until(async () => (await own.inject({ method: 'GET', url: `/deployments/${d.id}`, headers: auth(ADMIN) })).json().state === 'running', 'running');
    const pgid = (await own.inject({ method: 'GET', url: `/deployments/${d.id}`, headers: auth(ADMIN) })).json().pgid;
    await own.close();
    expect(groupAlive(pgid)).toBe(false);
  });
});
