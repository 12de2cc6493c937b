import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Client } from '../../sdk/index.js';
import { buildServer } from '../../serving/index.js';
import { startProviderStub, type ProviderStub } from '../helpers/provider-stub.js';
import { ACME, ADMIN, GLOBEX, KEYS, modelDir } from '../serving/fixtures.js';

let stub: ProviderStub;
let app: FastifyInstance;
let endpoint: string;
beforeAll(async () => {
  stub = await startProviderStub();
  ({ app } = await buildServer({ modelDir: modelDir(), apiKeys: KEYS, watchModel: false }));
  endpoint = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => { await app.close(); await stub.close(); });

const budget = async () => (await app.inject({ method: 'GET', url: '/budgets/acme', headers: { authorization: `Bearer ${ACME}` } })).json();

describe('reporting to a Lutflow server', () => {
  it('sends each priced call to POST /telemetry, where its cost lands in the tenant budget once', async () => {
    // Budgets are created with an admin key; the tenant's own key reports its telemetry.
    await app.inject({ method: 'POST', url: '/budgets', payload: { tenant_id: 'acme', limit_usd: 5 }, headers: { authorization: `Bearer ${ADMIN}` } });
    const c = new Client({ tenantId: 'acme', budgetUsd: 5, apiKey: ACME }, { env: { LUTFLOW_ENDPOINT: endpoint } });
    const ai = c.wrap(new OpenAI({ apiKey: 'sk', baseURL: `${stub.url}/v1`, maxRetries: 0 }));
    for (let i = 0; i < 3; i++) await ai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] });
    await c.flush();
    expect(c.telemetryStats).toMatchObject({ sent: 3, dropped: 0 });
    const b = await budget();
    expect(b.spent_micros).toBe(Math.round(c.accumulatedCostUsd * 1e6));
    expect(b.spent_micros).toBeGreaterThan(0);
  });

  it('applies an event id once, answers invalid events with their field errors, and keeps tenants apart', async () => {
    const before = (await budget()).spent_micros;
    const event = { schema_version: 1, event_id: 'dup-1', event_time: new Date().toISOString(), tenant_id: 'acme', provider: 'openai', model: 'gpt-4o', cost_usd_micros: 1000, outcome: 'ok' };
    const post = (events: unknown[], key = ACME) => app.inject({ method: 'POST', url: '/telemetry', payload: { events }, headers: { authorization: `Bearer ${key}` } });
    const r = (await post([event, event, { ...event, event_id: 'bad', cost_usd_micros: -1 }])).json();
    expect(r).toMatchObject({ accepted: 1, duplicates: 1, rejected: [{ index: 2, errors: [{ path: '/cost_usd_micros' }] }] });
    expect((await post([event])).json()).toMatchObject({ accepted: 0, duplicates: 1 });
    expect((await budget()).spent_micros).toBe(before + 1000);
    expect((await post([{ ...event, event_id: 'x-2' }], GLOBEX)).statusCode).toBe(403);
  });
});
