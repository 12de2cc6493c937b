import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresScript } from '../setup/postgres.js';
import { ADMIN, apiPlan, modelDir } from './fixtures.js';
import { killAll, killHard, spawnServe } from './serve-process.js';

/**
 * `lutflow serve` replicas on one PostgreSQL database, as a user deploys them: they must behave as one
 * ledger, lose nothing when one is killed, and answer 503 (never a wrong number) while the database is away.
 * The database here is a server of this file's own, so stopping it disturbs no other test.
 */

let pgPort = 0;
let url = '';
let model = '';

const freePort = () => new Promise<number>((r) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => { const { port } = s.address() as { port: number }; s.close(() => r(port)); });
});

beforeAll(async () => {
  pgPort = await freePort();
  postgresScript('start', pgPort, true);
  url = `postgres://postgres@127.0.0.1:${pgPort}/postgres`;
  model = modelDir();
}, 120_000);
afterAll(() => {
  killAll();
  postgresScript('wipe', pgPort);
});

const replica = () => spawnServe(['--model', model, '--ledger-url', url], { LUTFLOW_API_KEYS: `${ADMIN}=*` });
const kill = killHard;

async function call(base: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(15_000),
  });
  return { status: res.status, headers: res.headers, json: await res.json() };
}

const plan = apiPlan({ requests: 5 });

describe('serving replicas on one PostgreSQL ledger', () => {
  it('600 concurrent pre-flights over 3 replicas on a budget that fits 100: 100 allowed; then with a replica killed mid-load', async () => {
    const replicas = await Promise.all([replica(), replica(), replica()]);
    const [a, b] = replicas;
    await call(a.base, 'POST', '/budgets', { tenant_id: 'probe', limit_usd: 1000 });
    const amount = (await call(b.base, 'POST', '/preflight', { tenant_id: 'probe', plan })).json.reservation.amount_micros as number;
    expect(amount).toBeGreaterThan(0);

    await call(a.base, 'POST', '/budgets', { tenant_id: 'acme', limit_usd: (100 * amount) / 1e6 });
    const answers = await Promise.all(Array.from({ length: 600 }, (_, i) => call(replicas[i % 3].base, 'POST', '/preflight', { tenant_id: 'acme', plan })));
    expect(answers.every((r) => r.status === 200)).toBe(true);
    expect(answers.filter((r) => r.json.decision === 'allow')).toHaveLength(100);
    for (const r of replicas) expect((await call(r.base, 'GET', '/budgets/acme')).json).toMatchObject({ reserved_micros: 100 * amount, remaining_micros: 0 });

    await call(a.base, 'POST', '/budgets', { tenant_id: 'globex', limit_usd: (100 * amount) / 1e6 });
    const victim = replicas[2];
    const load = Promise.all(Array.from({ length: 600 }, (_, i) => call(replicas[i % 3].base, 'POST', '/preflight', { tenant_id: 'globex', plan })
      .catch(() => ({ status: 0, json: {} as Record<string, unknown> }))));
    await new Promise((r) => setTimeout(r, 150));
    await kill(victim.child);
    const mixed = await load;
    const allowed = mixed.filter((r) => r.json.decision === 'allow').length;
    expect(allowed).toBeLessThanOrEqual(100);
    const after = (await call(a.base, 'GET', '/budgets/globex')).json;
    expect(after.reserved_micros).toBeLessThanOrEqual(100 * amount);
    expect(after.reserved_micros).toBeGreaterThanOrEqual(allowed * amount);
    expect(after.remaining_micros).toBeGreaterThanOrEqual(0);
    await Promise.all([kill(a.child), kill(b.child)]);
  }, 180_000);

  it('charges telemetry replayed across replicas and restarts once; answers 503 while the database is away', async () => {
    let [a, b] = await Promise.all([replica(), replica()]);
    await call(a.base, 'POST', '/budgets', { tenant_id: 'initech', limit_usd: 1000 });
    const events = Array.from({ length: 300 }, (_, i) => ({
      schema_version: 1, event_id: `replay-${i}`, event_time: new Date().toISOString(), tenant_id: 'initech', provider: 'openai',
      model: 'gpt-4o', cost_usd_micros: 1000 + i, outcome: 'ok',
    }));
    const total = events.reduce((s, e) => s + e.cost_usd_micros, 0);
    expect((await call(a.base, 'POST', '/telemetry', { events })).json.accepted).toBe(300);
    expect((await call(b.base, 'POST', '/telemetry', { events })).json).toMatchObject({ accepted: 0, duplicates: 300 });
    await kill(a.child);
    a = await replica();
    expect((await call(a.base, 'POST', '/telemetry', { events })).json).toMatchObject({ accepted: 0, duplicates: 300 });
    expect((await call(b.base, 'GET', '/budgets/initech')).json.spent_micros).toBe(total);

    postgresScript('stop', pgPort);
    const away = await call(a.base, 'POST', '/preflight', { tenant_id: 'initech', plan });
    expect(away.status).toBe(503);
    expect(away.headers.get('retry-after')).toBe('5');
    expect(away.json.error.code).toBe('LEDGER_UNAVAILABLE');
    expect((await call(b.base, 'GET', '/budgets/initech')).status).toBe(503);
    expect((await fetch(`${b.base}/readyz`)).status).toBe(503);
    postgresScript('start', pgPort);
    expect((await fetch(`${b.base}/readyz`)).status).toBe(200);
    expect((await call(a.base, 'GET', '/budgets/initech')).json.spent_micros).toBe(total);
    expect((await call(b.base, 'POST', '/preflight', { tenant_id: 'initech', plan })).json.decision).toBe('allow');
    await Promise.all([kill(a.child), kill(b.child)]);
  }, 180_000);
});
