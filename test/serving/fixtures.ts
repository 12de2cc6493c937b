import { cpSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { builtinCatalog } from '../../pricing/index.js';
import { generateSample, trainPcpo } from '../../training/index.js';
import { tempDir } from '../helpers/index.js';

export const ADMIN = 'admin-key-0123456789abcdef';
export const ACME = 'acme-key-0123456789abcdef';
export const GLOBEX = 'globex-key-0123456789abcdef';
export const KEYS = [
  { key: ADMIN, tenants: ['*'] },
  { key: ACME, tenants: ['acme'] },
  { key: GLOBEX, tenants: ['globex'] },
];

let trained: string | undefined;

/** A small model trained once per test file, copied so a test may break its copy. */
export function modelDir(): string {
  if (!trained) {
    trained = join(tempDir('lutflow-serving-model-'), 'pcpo');
    const catalog = builtinCatalog();
    trainPcpo({ records: generateSample({ catalog, seed: 3, runs: 1500 }).records, out: trained, catalog, source: 'test sample', rounds: 120 });
  }
  const copy = join(tempDir('lutflow-model-copy-'), 'pcpo');
  cpSync(trained, copy, { recursive: true });
  return copy;
}

export const gpuPlan = (over: Record<string, unknown> = {}) => ({
  kind: 'self_hosted', model: 'llama-3-8b', gpu_type: 'H100', gpu_count: 1, framework: 'vllm', batch_size: 16, requests: 64, prompt_tokens: 512, max_output_tokens: 256, ...over,
});

export const apiPlan = (over: Record<string, unknown> = {}) => ({
  kind: 'api', provider: 'openai', model: 'gpt-4o', batch_size: 1, requests: 50, prompt_tokens: 1000, max_output_tokens: 1024, ...over,
});

export const auth = (key: string) => ({ authorization: `Bearer ${key}` });

/** Requests through `inject` to whichever app `current()` returns (the test's server of the moment). */
export function apiOf(current: () => FastifyInstance) {
  const post = (url: string, payload: unknown, key = ACME) => current().inject({ method: 'POST', url, payload: payload as object, headers: auth(key) });
  const patch = (url: string, payload: unknown) => current().inject({ method: 'PATCH', url, payload: payload as object, headers: auth(ADMIN) });
  const get = (url: string, key = ACME) => current().inject({ method: 'GET', url, headers: auth(key) });
  const spent = async (tenant = 'acme') => (await get(`/budgets/${tenant}`, ADMIN)).json().spent_micros as number;
  const telemetry = (events: unknown[], key = ACME) => post('/telemetry', { events }, key);
  return { post, patch, get, spent, telemetry };
}

let eventIds = 0;
/** A $1 `lut.telemetry` event for acme at `at`, with a fresh id. */
export const telemetryEvent = (at: number, over: Record<string, unknown> = {}) => ({
  schema_version: 1, event_id: `e-${++eventIds}`, event_time: new Date(at).toISOString(), tenant_id: 'acme', provider: 'openai',
  model: 'gpt-4o', cost_usd_micros: 1_000_000, outcome: 'ok', ...over,
});
