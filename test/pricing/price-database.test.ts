import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_PRICES, bundledPriceDatabase, createCatalog, parseLiteLlmPrices } from '../../pricing/index.js';
import { Client } from '../../sdk/index.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cli, ROOT, tempDir, TSX } from '../helpers/index.js';
import { startProviderStub, stubClients, type ProviderStub } from '../helpers/provider-stub.js';

let stub: ProviderStub;
beforeAll(async () => { stub = await startProviderStub(); });
afterAll(async () => { await stub.close(); });
const { openai, anthropic } = stubClients(() => stub);
const micros = (c: Client) => Math.round(c.accumulatedCostUsd * 1e6);

describe('the maintained price database (@pydantic/genai-prices, offline)', () => {
  it('is the installed version, with its data date', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'node_modules/@pydantic/genai-prices/package.json'), 'utf8'));
    expect(pkg.version).toBe(BUNDLED_PRICES.version);
  });

  it('prices the hosts the curated table does not type, each price with its source and date', async () => {
    const db = await bundledPriceDatabase();
    expect(db.providers).toBeGreaterThan(30);
    const cases: [string, string | undefined, number, number][] = [
      ['llama-3.3-70b-versatile', 'groq', 590_000, 790_000],
      ['meta-llama/Llama-3.3-70B-Instruct-Turbo', 'together', 880_000, 880_000],
      ['anthropic.claude-3-5-sonnet-20240620-v1:0', 'bedrock', 3_000_000, 15_000_000],
      ['gemini-2.0-flash', 'vertex', 100_000, 400_000],
      ['gpt-4o', 'azure', 2_500_000, 10_000_000],
      ['anthropic/claude-3.5-sonnet', undefined, 3_000_000, 15_000_000],
    ];
    for (const [model, provider, input, output] of cases) {
      const p = db.find(model, { provider });
      expect(p, `${provider}/${model}`).toBeDefined();
      expect([p!.input, p!.output]).toEqual([input, output]);
      expect(p!.asOf).toBe(BUNDLED_PRICES.asOf);
      expect(p!.source).toMatch(/genai-prices/);
    }
    // A host known by its API URL, with no provider named.
    expect(db.find('llama-3.3-70b-versatile', { provider: 'openai', apiUrl: 'https://api.groq.com/openai/v1/chat/completions' })?.provider).toBe('groq');
  });

  it('a call through the OpenAI SDK to a Groq model is priced from the database', async () => {
    const c = new Client({ tenantId: 'acme', budgetUsd: 1 });
    stub.next('openai', { usage: { input: 1_000_000, output: 1_000_000 } });
    await c.wrap(openai(), { provider: 'groq' }).chat.completions.create({ model: 'llama-3.3-70b-versatile', messages: [{ role: 'user', content: 'x' }], max_tokens: 10 });
    expect(micros(c)).toBe(590_000 + 790_000);
  });
});

describe('the curated table wins over imported gaps', () => {
  // LiteLLM 1.110.2's map (as measured in the field notes): claude-opus-4-1 at $0, Sonnet 4.5 without its > 200k tier.
  const gaps = parseLiteLlmPrices({
    'claude-opus-4-1': { litellm_provider: 'anthropic', mode: 'chat', input_cost_per_token: 0, output_cost_per_token: 0, max_input_tokens: 200_000 },
    'claude-sonnet-4-5': { litellm_provider: 'anthropic', mode: 'chat', input_cost_per_token: 3e-6, output_cost_per_token: 1.5e-5, max_input_tokens: 1_000_000 },
  }, '2025-10-01');
  const client = () => new Client({ tenantId: 'acme', budgetUsd: 100 }, { catalog: createCatalog({ tokenPrices: gaps.prices }) });

  it('claude-opus-4-1 is charged $15 / $75, not $0', async () => {
    const c = client();
    stub.next('anthropic', { usage: { input: 1000, output: 1000 } });
    await c.wrap(anthropic()).messages.create({ model: 'claude-opus-4-1', max_tokens: 1000, messages: [{ role: 'user', content: 'x' }] });
    expect(micros(c)).toBe(15_000 + 75_000);
  });

  it('claude-sonnet-4-5 past 200k prompt tokens is charged the long-context prices', async () => {
    const c = client();
    stub.next('anthropic', { usage: { input: 250_000, output: 1000 } });
    await c.wrap(anthropic()).messages.create({ model: 'claude-sonnet-4-5', max_tokens: 1000, messages: [{ role: 'user', content: 'x' }] });
    expect(micros(c)).toBe(250_000 * 6 + 1000 * 22.5);
  });
});

/** The CLI without blocking this process, which serves the price file. */
async function cliAsync(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', TSX, join(ROOT, 'cli/main.ts'), ...args], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('lutflow prices', () => {
  let server: ReturnType<typeof createServer>;
  let url = '';
  let body = '';
  beforeAll(async () => {
    const data = structuredClone(await (await import('@pydantic/genai-prices')).waitForUpdate()) as { id: string; models: { id: string; prices: unknown }[] }[];
    const groq = data.find((p) => p.id === 'groq')!;
    groq.models.find((m) => m.id === 'llama-3.3-70b-versatile')!.prices = { input_mtok: 0.5, output_mtok: 0.7 };
    body = JSON.stringify(data);
    server = createServer((req, res) => {
      if (req.url === '/bad') return res.end('{"not": "providers"}');
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('update refreshes a newer copy into the cache, which show and the SDK then use; a bad download changes nothing', async () => {
    const cache = join(tempDir(), 'prices.json');
    const bad = await cliAsync(['prices', 'update', '--url', `${url}/bad`, '--cache', cache]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/genai-prices data format/);
    expect(existsSync(cache)).toBe(false);
    const up = await cliAsync(['prices', 'update', '--url', `${url}/data.json`, '--cache', cache, '--json']);
    expect(up.code).toBe(0);
    expect(JSON.parse(up.stdout)).toMatchObject({ cache, providers: expect.any(Number) });
    const shown = JSON.parse(cli(['prices', 'show', 'llama-3.3-70b-versatile', '--provider', 'groq', '--cache', cache, '--json']).stdout);
    expect(shown).toMatchObject({ usd_per_million_tokens: { input: 0.5, output: 0.7 }, as_of: new Date().toISOString().slice(0, 10) });
    expect(shown.source).toContain(url);
    const c = new Client({ tenantId: 'acme', budgetUsd: 1, pricesCache: cache });
    stub.next('openai', { usage: { input: 1_000_000, output: 1_000_000 } });
    await c.wrap(openai(), { provider: 'groq' }).chat.completions.create({ model: 'llama-3.3-70b-versatile', messages: [{ role: 'user', content: 'x' }], max_tokens: 10 });
    expect(micros(c)).toBe(500_000 + 700_000);
  });

  it('show tells where a price comes from, curated first', () => {
    const r = cli(['prices', 'show', 'claude-sonnet-4-5-20250929']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/from the curated table/);
    expect(r.stdout).toMatch(/above 200000 prompt tokens: input \$6/);
    const none = cli(['prices', 'show', 'no-such-model', '--provider', 'groq']);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/closest known/);
  });
});
