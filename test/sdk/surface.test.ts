import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { describe, expect, it } from 'vitest';
import { Client, MeteringError } from '../../sdk/index.js';
import { listedRoute, READS } from '../../sdk/providers/routes.js';
import { OPENAI_ROUTES } from '../../sdk/providers/openai/routes.js';
import { ANTHROPIC_ROUTES } from '../../sdk/providers/anthropic/routes.js';
import { GEMINI_ROUTES } from '../../sdk/providers/gemini/routes.js';
import type { RouteRule } from '../../sdk/providers/types.js';
import { callEverything, resources } from '../helpers/sdk-surface.js';

/**
 * Every method of each supported SDK, present and future: walk the client's resource tree, call each
 * method, and check every request it makes. A write to an endpoint that is in no route table fails
 * here (classify it: priced, free, or paid-but-unpriced), so a new SDK release cannot open a hole
 * silently; and through a wrapped client on a $0 budget, no paid request reaches the provider.
 */
type Req = { method: string; path: string };

function recorder(log: Req[]) {
  return async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    log.push({ method: (init?.method ?? 'GET').toUpperCase(), path: url.pathname });
    return new Response(JSON.stringify({ error: { message: 'surface walk' } }), { status: 404, headers: { 'content-type': 'application/json' } });
  };
}

const file = () => new File(['{"a":1}'], 'x.jsonl', { type: 'application/jsonl' });
const OPENAI_ARGS = { model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], input: 'x', prompt: 'x', file: file(), purpose: 'batch', name: 'x', voice: 'alloy', image: file(), training_file: 'x', input_file_id: 'x', endpoint: '/v1/chat/completions', completion_window: '24h', bytes: 1, filename: 'x', mime_type: 'text/plain' };
const ANTHROPIC_ARGS = { model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'x' }], requests: [], file: file(), name: 'x' };
const GEMINI_ARGS = { model: 'gemini-2.5-flash', contents: 'x', prompt: 'x', message: 'x', content: 'x', src: [{ contents: 'x' }], file: new Blob(['x'], { type: 'text/plain' }), config: {}, name: 'x', baseModel: 'x', trainingDataset: { gcsUri: 'gs://x' }, source: { prompt: 'x' }, image: { imageBytes: 'eA==', mimeType: 'image/png' }, upscaleFactor: 'x2', fileSearchStoreName: 'x', fileName: 'x', operation: { name: 'x' } };
const GEMINI_GETTERS = ['interactions', 'webhooks', 'voices'];

interface Sdk {
  readonly name: string;
  readonly routes: readonly RouteRule[];
  make(fetch: ReturnType<typeof recorder>): object;
  readonly args: object;
  readonly getters?: readonly string[];
  /** Operations the walk must have reached (so it is not vacuous). */
  readonly priced: readonly string[];
}

const SDKS: Sdk[] = [
  {
    name: 'openai', routes: OPENAI_ROUTES, args: OPENAI_ARGS, priced: ['chat.completions', 'responses', 'embeddings', 'completions'],
    make: (fetch) => new OpenAI({ apiKey: 'sk', baseURL: 'http://provider.test/v1', fetch, maxRetries: 0 }),
  },
  {
    name: 'anthropic', routes: ANTHROPIC_ROUTES, args: ANTHROPIC_ARGS, priced: ['messages'],
    make: (fetch) => new Anthropic({ apiKey: 'sk', baseURL: 'http://provider.test', fetch, maxRetries: 0 }),
  },
  {
    name: 'gemini', routes: GEMINI_ROUTES, args: GEMINI_ARGS, getters: GEMINI_GETTERS, priced: ['generateContent', 'streamGenerateContent', 'embedContent'],
    make: (fetch) => new GoogleGenAI({ apiKey: 'g', httpOptions: { baseUrl: 'http://provider.test', fetch } }),
  },
];

const quiet = { warn: () => {} };

/** Each method twice: with the body first, and with ids first (`retrieve(id)`, `runs.create(threadId, body)`). */
async function walk(client: object, sdk: Sdk, log: Req[]) {
  const list = resources(client, sdk.name, sdk.getters);
  return [...await callEverything(list, [sdk.args, sdk.args, sdk.args], log), ...await callEverything(list, ['id_1', 'id_2', sdk.args, sdk.args], log)];
}

describe.each(SDKS)('$name: every method of the SDK', (sdk) => {
  it('every write it can make is in the route table, and the walk reaches the paid endpoints', async () => {
    const log: Req[] = [];
    const client = sdk.make(recorder(log));
    const calls = await walk(client, sdk, log);
    expect(calls.length).toBeGreaterThan(20);
    const unlisted = calls.flatMap((c) => c.requests.filter((r) => !READS.has(r.method) && !listedRoute(sdk.routes, r.method, r.path)).map((r) => `${c.method}: ${r.method} ${r.path}`));
    expect(unlisted).toEqual([]);
    const reached = new Set(calls.flatMap((c) => c.requests.map((r) => listedRoute(sdk.routes, r.method, r.path))).filter((r) => r?.kind === 'priced').map((r) => r!.operation));
    for (const op of sdk.priced) expect(reached).toContain(op);
  });

  it('through a wrapped client on a $0 budget, no paid request reaches the provider', async () => {
    const log: Req[] = [];
    const meter = new Client({ tenantId: 'walk', budgetUsd: 0, logger: quiet });
    const wrapped = meter.wrap(sdk.make(recorder(log)));
    const calls = await walk(wrapped, sdk, log);
    const paid = calls.flatMap((c) => c.requests.filter((r) => (listedRoute(sdk.routes, r.method, r.path)?.kind ?? (READS.has(r.method) ? 'free' : 'unpriced')) !== 'free').map((r) => `${c.method}: ${r.method} ${r.path}`));
    expect(paid).toEqual([]);
  });
});

describe('WebSocket methods, which fetch never sees', () => {
  it('Gemini live.connect() on a wrapped client is refused unless unpriced endpoints are allowed', async () => {
    const wrapped = new Client({ tenantId: 'walk', budgetUsd: 100, logger: quiet }).wrap(SDKS[2].make(recorder([])) as GoogleGenAI);
    const err = await wrapped.live.connect({ model: 'gemini-live-2.5-flash', callbacks: {} }).catch((e) => e);
    expect(err).toBeInstanceOf(MeteringError);
    expect(err.code).toBe('UNPRICED_ENDPOINT');
  });
});
