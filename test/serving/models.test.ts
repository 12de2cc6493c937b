import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { builtinCatalog } from '../../pricing/index.js';
import { buildServer } from '../../serving/index.js';
import { generateSample, trainPcpo } from '../../training/index.js';
import { ACME, ADMIN, KEYS, auth, gpuPlan, modelDir } from './fixtures.js';

let app: FastifyInstance | undefined;
afterEach(async () => { await app?.close(); app = undefined; });

const predict = () => app!.inject({ method: 'POST', url: '/predict', payload: { tenant_id: 'acme', plan: gpuPlan() }, headers: auth(ACME) });
const reload = () => app!.inject({ method: 'POST', url: '/models/reload', headers: auth(ADMIN) });
const models = async () => (await app!.inject({ method: 'GET', url: '/models', headers: auth(ACME) })).json();

describe('model reloads', () => {
  it('refuses a corrupt model while the old one keeps serving', async () => {
    const dir = modelDir();
    ({ app } = await buildServer({ modelDir: dir, apiKeys: KEYS, watchModel: false }));
    const version = (await models()).model.version;
    const before = (await predict()).json();
    const good = readFileSync(join(dir, 'gpu_seconds.json'), 'utf8');
    writeFileSync(join(dir, 'gpu_seconds.json'), good.slice(0, good.length / 3));
    const r = await reload();
    expect(r.statusCode).toBe(422);
    expect(r.json()).toMatchObject({ ok: false, model_version: version });
    expect(r.json().error).toMatch(/gpu_seconds\.json: not valid JSON/);
    expect((await models()).last_reload_error).toMatch(/not valid JSON/);
    expect((await predict()).json()).toEqual(before);
    const card = JSON.parse(readFileSync(join(dir, 'model-card.json'), 'utf8'));
    writeFileSync(join(dir, 'gpu_seconds.json'), good);
    writeFileSync(join(dir, 'model-card.json'), JSON.stringify({ ...card, feature_spec: { ...card.feature_spec, hash: '0'.repeat(64) } }));
    expect((await reload()).json().error).toMatch(/built for feature spec/);
    writeFileSync(join(dir, 'model-card.json'), JSON.stringify(card));
    expect((await reload()).json()).toEqual({ ok: true, model_version: version });
    expect((await models()).last_reload_error).toBeNull();
    const m = (await app!.inject({ method: 'GET', url: '/metrics', headers: auth(ADMIN) })).body;
    expect(m).toMatch(/lutflow_model_reloads_total\{result="refused"\} 2/);
  });

  it('picks up a newly trained model when the directory changes', async () => {
    const dir = modelDir();
    ({ app } = await buildServer({ modelDir: dir, apiKeys: KEYS, watchModel: true }));
    const version = (await models()).model.version;
    const catalog = builtinCatalog();
    trainPcpo({ records: generateSample({ catalog, seed: 99, runs: 1200 }).records, out: dir, catalog, source: 'retrain', rounds: 60, now: () => new Date('2026-12-01T00:00:00Z') });
    let now = version;
    for (let i = 0; i < 50 && now === version; i++) {
      await new Promise((r) => setTimeout(r, 100));
      now = (await models()).model.version;
    }
    expect(now).not.toBe(version);
    expect(now).toMatch(/^pcpo-2026-12-01-/);
    expect((await predict()).json().model_version).toBe(now);
  });
});
