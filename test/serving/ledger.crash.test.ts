import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '../../lib/random.js';
import { tempDir } from '../helpers/index.js';
import { ADMIN, apiPlan, modelDir } from './fixtures.js';
import { killAll, killHard, spawnServe } from './serve-process.js';

/**
 * The server ledger under kill -9 and a real full disk: `lutflow serve` as a user runs it, a mixed load of
 * telemetry batches, pre-flights and settles, and a SIGKILL at a random moment, many times over. Whatever
 * was acknowledged must be there after each restart; what was in flight must land once when retried.
 */

const KEYS = `${ADMIN}=*`;
afterAll(killAll);

const startServer = async (model: string, ledger: string) => {
  const { base, child } = await spawnServe(['--model', model, '--ledger', ledger], { LUTFLOW_API_KEYS: KEYS });
  return { url: base, child };
};
const kill = killHard;

const headers = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
async function call(url: string, method: string, body?: unknown): Promise<{ status: number; json: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(5000) });
  return { status: res.status, json: await res.json() };
}

interface Batch { events: { event_id: string; cost_usd_micros: number }[] }
interface Settle { tenant: string; id: string; micros: number }

describe('the server ledger under kill -9 (crash loop)', () => {
  it('loses nothing acknowledged and charges everything retried exactly once, over many kills', async () => {
    const rng = createRng(Number(process.env.LEDGER_CRASH_SEED ?? 7));
    const model = modelDir();
    const ledger = tempDir('lutflow-crash-ledger-');
    const kills = Number(process.env.LEDGER_CRASH_KILLS ?? 6);
    const tenants = ['acme', 'globex', 'initech'];
    const acked = { telemetry: 0, settles: 0 };
    const unknownBatches: { tenant: string; batch: Batch }[] = [];
    const unknownSettles: Settle[] = [];
    const openReservations = new Map<string, Settle>();
    let seq = 0;

    let { url, child } = await startServer(model, ledger);
    for (const t of tenants) expect((await call(`${url}/budgets`, 'POST', { tenant_id: t, limit_usd: 1e6 })).status).toBe(201);

    for (let round = 0; round < kills; round++) {
      let stop = false;
      const worker = async (w: number) => {
        while (!stop) {
          const tenant = tenants[(w + seq) % tenants.length];
          if (rng.next() < 0.6) {
            const batch: Batch = { events: Array.from({ length: 1 + rng.int(0, 30) }, () => ({ event_id: `ev-${++seq}`, cost_usd_micros: rng.int(1, 5000) })) };
            const body = { events: batch.events.map((e) => ({ schema_version: 1, event_time: new Date().toISOString(), tenant_id: tenant, provider: 'openai', model: 'gpt-4o', outcome: 'ok', ...e })) };
            try {
              const r = await call(`${url}/telemetry`, 'POST', body);
              expect(r.status).toBe(200);
              expect(r.json).toMatchObject({ accepted: batch.events.length, duplicates: 0 });
              acked.telemetry += batch.events.reduce((a, e) => a + e.cost_usd_micros, 0);
            } catch {
              unknownBatches.push({ tenant, batch });
              return;
            }
          } else {
            let id: string;
            try {
              const r = await call(`${url}/preflight`, 'POST', { tenant_id: tenant, plan: apiPlan({ requests: 1 }) });
              id = r.json.reservation.id;
            } catch {
              return;
            }
            const s = { tenant, id, micros: rng.int(1, 5000) };
            openReservations.set(id, s);
            try {
              const r = await call(`${url}/budgets/${tenant}/reservations/${id}/settle`, 'POST', { cost_usd: s.micros / 1e6 });
              expect(r.status).toBe(200);
              acked.settles += s.micros;
              openReservations.delete(id);
            } catch {
              unknownSettles.push(s);
              openReservations.delete(id);
              return;
            }
          }
        }
      };
      const workers = Array.from({ length: 6 }, (_, w) => worker(w));
      await new Promise((r) => setTimeout(r, 200 + rng.int(0, 800)));
      await kill(child);
      stop = true;
      await Promise.all(workers);
      ({ url, child } = await startServer(model, ledger));
      const spent = (await Promise.all(tenants.map(async (t) => (await call(`${url}/budgets/${t}`, 'GET')).json.spent_micros as number))).reduce((a, b) => a + b, 0);
      const inFlight = unknownBatches.reduce((a, u) => a + u.batch.events.reduce((x, e) => x + e.cost_usd_micros, 0), 0) + unknownSettles.reduce((a, s) => a + s.micros, 0);
      expect(spent, `round ${round}`).toBeGreaterThanOrEqual(acked.telemetry + acked.settles);
      expect(spent, `round ${round}`).toBeLessThanOrEqual(acked.telemetry + acked.settles + inFlight);
    }

    if (process.env.LEDGER_CRASH_VERBOSE) console.log({ acked, unknownBatches: unknownBatches.length, unknownSettles: unknownSettles.length, seq });
    // Retry what was in flight at each kill: it lands once, whatever reached the journal before.
    for (const { tenant, batch } of unknownBatches.splice(0)) {
      const events = batch.events.map((e) => ({ schema_version: 1, event_time: new Date().toISOString(), tenant_id: tenant, provider: 'openai', model: 'gpt-4o', outcome: 'ok', ...e }));
      const r = await call(`${url}/telemetry`, 'POST', { events });
      expect(r.json.accepted + r.json.duplicates).toBe(events.length);
      acked.telemetry += batch.events.reduce((a, e) => a + e.cost_usd_micros, 0);
    }
    for (const s of unknownSettles.splice(0)) {
      const r = await call(`${url}/budgets/${s.tenant}/reservations/${s.id}/settle`, 'POST', { cost_usd: s.micros / 1e6 });
      expect([200, 409]).toContain(r.status);
      acked.settles += s.micros;
    }
    const spent = (await Promise.all(tenants.map(async (t) => (await call(`${url}/budgets/${t}`, 'GET')).json.spent_micros as number))).reduce((a, b) => a + b, 0);
    expect(spent).toBe(acked.telemetry + acked.settles);
    expect(acked.telemetry).toBeGreaterThan(0);
    expect(acked.settles).toBeGreaterThan(0);
    await kill(child);
  }, 180_000);
});

describe('the server ledger on a real full disk (tmpfs)', () => {
  it('answers 503 with Retry-After while the disk is full, recovers when it is not, and restarts with what was acknowledged', async () => {
    const mnt = tempDir('lutflow-tmpfs-');
    const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt], { encoding: 'utf8' });
    expect(mount.status, `this test mounts a small tmpfs and needs root (CI runs as root): ${mount.stderr}`).toBe(0);
    try {
      const ledger = join(mnt, 'ledger');
      mkdirSync(ledger);
      let { url, child } = await startServer(modelDir(), ledger);
      expect((await call(`${url}/budgets`, 'POST', { tenant_id: 'acme', limit_usd: 1e6 })).status).toBe(201);
      let acked = 0, seq = 0, refused = 0;
      for (let i = 0; i < 400 && refused < 3; i++) {
        const events = Array.from({ length: 20 }, () => ({ schema_version: 1, event_id: `disk-${++seq}-${'x'.repeat(100)}`, event_time: new Date().toISOString(), tenant_id: 'acme', provider: 'openai', model: 'gpt-4o', outcome: 'ok', cost_usd_micros: 1000 }));
        const res = await fetch(`${url}/telemetry`, { method: 'POST', headers, body: JSON.stringify({ events }) });
        if (res.status === 200) acked += 20_000;
        else {
          expect(res.status).toBe(503);
          expect(res.headers.get('retry-after')).toBe('5');
          expect((await res.json()).error.code).toBe('LEDGER_UNAVAILABLE');
          refused++;
        }
      }
      expect(refused).toBe(3);
      const notReady = await fetch(`${url}/readyz`);
      expect(notReady.status).toBe(503);
      expect((await notReady.json()).ledger).toMatch(/ENOSPC/);
      expect((await call(`${url}/budgets/acme`, 'GET')).json.spent_micros).toBe(acked);

      expect(spawnSync('mount', ['-o', 'remount,size=4m', mnt]).status).toBe(0);
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      const more = await call(`${url}/telemetry`, 'POST', { events: [{ schema_version: 1, event_id: 'after', event_time: new Date().toISOString(), tenant_id: 'acme', provider: 'openai', model: 'gpt-4o', outcome: 'ok', cost_usd_micros: 7 }] });
      expect(more.json.accepted).toBe(1);
      await kill(child);
      ({ url, child } = await startServer(modelDir(), ledger));
      expect((await call(`${url}/budgets/acme`, 'GET')).json.spent_micros).toBe(acked + 7);
      await kill(child);
    } finally {
      spawnSync('umount', ['-l', mnt]);
    }
  }, 120_000);
});
