import { gzipSync } from 'node:zlib';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createHttpTransport } from '../../sdk/index.js';
import { buildServer } from '../../serving/index.js';
import { ACME, ADMIN, KEYS, auth, modelDir } from './fixtures.js';

const servers: FastifyInstance[] = [];
afterEach(async () => { await Promise.all(servers.splice(0).map((s) => s.close())); });

/** A telemetry event the size the SDK sends (token counts, latency, a uuid). */
const event = (i: number, tenant = 'acme') => ({
  schema_version: 1, event_id: `5f0c2a8e-0000-4000-8000-${String(i).padStart(12, '0')}`, event_time: new Date().toISOString(),
  tenant_id: tenant, provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', cost_usd_micros: 100 + (i % 7),
  latency_ms: 1234.5678, outcome: 'ok', tokens: { input: 12345, cached_input: 2345, cache_write: 345, output: 678, reasoning: 0 },
});

async function lutflow() {
  const { app } = await buildServer({ modelDir: modelDir(), apiKeys: KEYS, watchModel: false });
  servers.push(app);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  await app.inject({ method: 'POST', url: '/budgets', payload: { tenant_id: 'acme', limit_usd: 1000 }, headers: auth(ADMIN) });
  return { app, url };
}

describe('SDK telemetry transport and the server agree on size (row 5)', () => {
  it('delivers every event of a large burst, gzip-compressed, in batches the server takes', async () => {
    const { app, url } = await lutflow();
    const transport = createHttpTransport({ endpoint: url, apiKey: ACME });
    const n = 2600;
    for (let i = 0; i < n; i++) transport.publish('lut.telemetry', 'acme', event(i));
    await transport.flush();
    expect(transport.stats()).toMatchObject({ published: n, delivered: n, dropped: 0, buffered: 0 });
    const spent = (await app.inject({ method: 'GET', url: '/budgets/acme', headers: auth(ACME) })).json().spent_micros;
    expect(spent).toBe(Array.from({ length: n }, (_, i) => 100 + (i % 7)).reduce((a, b) => a + b, 0));
  });

  it('takes the documented 1,000 events in one request, plain or gzip; refuses a gzip bomb with 413', async () => {
    const { app } = await lutflow();
    const events = Array.from({ length: 1000 }, (_, i) => event(i));
    const body = JSON.stringify({ events });
    expect(body.length).toBeGreaterThan(256 * 1024);
    const plain = await app.inject({ method: 'POST', url: '/telemetry', payload: body, headers: { ...auth(ACME), 'content-type': 'application/json' } });
    expect(plain.json()).toMatchObject({ accepted: 1000 });
    const zipped = await app.inject({
      method: 'POST', url: '/telemetry', payload: gzipSync(JSON.stringify({ events: events.map((e, i) => event(i + 5000)) })),
      headers: { ...auth(ACME), 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
    expect(zipped.json()).toMatchObject({ accepted: 1000 });
    const bomb = gzipSync(JSON.stringify({ events: [{ pad: ' '.repeat(4 << 20) }] }));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const refused = await app.inject({ method: 'POST', url: '/telemetry', payload: bomb, headers: { ...auth(ACME), 'content-type': 'application/json', 'content-encoding': 'gzip' } });
    expect(refused.statusCode).toBe(413);
    const br = await app.inject({ method: 'POST', url: '/telemetry', payload: body, headers: { ...auth(ACME), 'content-type': 'application/json', 'content-encoding': 'br' } });
    expect(br.statusCode).toBe(415);
    const whole = gzipSync(JSON.stringify({ events: [] }));
    for (const broken of [Buffer.from('not gzip'), whole.subarray(0, whole.length - 6), Buffer.concat([whole, Buffer.from('xx')])]) {
      const r = await app.inject({ method: 'POST', url: '/telemetry', payload: broken, headers: { ...auth(ACME), 'content-type': 'application/json', 'content-encoding': 'gzip' } });
      expect([r.statusCode, r.json().error]).toMatchObject([400, { code: 'INVALID_REQUEST', field: '/', message: expect.stringMatching(/not valid gzip/) }]);
    }
  });

  it('splits a batch the server answers 413 and sends every event, never dropping one', async () => {
    // A server with a small body limit, answering 413 like any HTTP server would.
    const small = Fastify({ bodyLimit: 16 * 1024 });
    servers.push(small);
    const { gunzipBody } = await import('../../serving/gzip.js');
    const batches: number[] = [];
    small.post<{ Body: { events: unknown[] } }>('/telemetry', { preParsing: gunzipBody() }, async (req) => {
      batches.push(req.body.events.length);
      return { accepted: req.body.events.length, rejected: [] };
    });
    const url = await small.listen({ host: '127.0.0.1', port: 0 });
    const transport = createHttpTransport({ endpoint: url });
    for (let i = 0; i < 300; i++) transport.publish('lut.telemetry', 'acme', event(i));
    await transport.flush();
    expect(transport.stats()).toMatchObject({ published: 300, delivered: 300, dropped: 0 });
    expect(batches.reduce((a, b) => a + b, 0)).toBe(300);
    expect(Math.max(...batches)).toBeLessThan(300);
  });
});
