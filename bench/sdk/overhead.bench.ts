import OpenAI from 'openai';
import { BudgetStrategy, Client } from '../../sdk/index.js';
import { exactCounter } from '../../sdk/bounds/tokens.js';
import { chatPromptBound } from '../../sdk/providers/openai/prompt.js';
import { chatUsage } from '../../sdk/providers/openai/usage.js';
import { createEmbeddedBus } from '../../stream/index.js';
import { startProviderStub } from '../../test/helpers/provider-stub.js';
import { quantile } from '../runner.js';

type Body = OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;

/**
 * The earlier design, kept here only to measure against: a Proxy replacing the named method
 * `chat.completions.create`, with the same meter and the same prompt bound. It covers that one
 * method; helpers (`stream()`, `parse()`, `runTools()`) called the raw client behind it.
 */
function proxyDesign(raw: OpenAI, meter: Client): OpenAI {
  const create = async (body: Body) => {
    const { tokens } = await chatPromptBound(body);
    const call = await meter.begin({ provider: 'openai', model: body.model, operation: 'chat.completions', promptTokensBound: tokens, maxOutputTokens: body.max_tokens ?? undefined, choices: body.n ?? 1, stream: false });
    try {
      const r = await raw.chat.completions.create(body);
      call.settle(chatUsage(r.usage) ?? { input: {}, output: {} }, 'ok');
      return r;
    } catch (err) {
      call.release('error');
      throw err;
    }
  };
  const completions = new Proxy(raw.chat.completions, { get: (t, p, r) => (p === 'create' ? create : Reflect.get(t, p, r)) });
  const chat = new Proxy(raw.chat, { get: (t, p, r) => (p === 'completions' ? completions : Reflect.get(t, p, r)) });
  return new Proxy(raw, { get: (t, p, r) => (p === 'chat' ? chat : Reflect.get(t, p, r)) });
}

const us = (ms: number) => (ms * 1000).toFixed(1);

/**
 * Added latency of a metered call: the real OpenAI SDK against a local stub, unwrapped, metered by a
 * Proxy on the named method, and metered at the HTTP layer (the shipped design), interleaved in one
 * script so all see the same noise. Then the tokenizer on a 4k-token prompt, and the kill path.
 */
export async function run(): Promise<void> {
  const stub = await startProviderStub();
  const make = () => new OpenAI({ apiKey: 'sk-test', baseURL: `${stub.url}/v1`, maxRetries: 0 });
  const bus = createEmbeddedBus();
  const client = new Client({ tenantId: 'bench', budgetUsd: 1e6, transport: bus });
  const designs: [string, OpenAI][] = [['unwrapped', make()], ['Proxy on chat.completions.create', proxyDesign(make(), client)], ['fetch hook (shipped)', client.wrap(make())]];
  const body: Body = { model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'You are a helpful assistant.' }, { role: 'user', content: 'Hello! What does a GPU hour cost?' }], max_tokens: 100 };
  const times = designs.map(() => [] as number[]);
  for (let i = 0; i < 300; i++) for (const [, ai] of designs) await ai.chat.completions.create(body);
  for (let i = 0; i < 3000; i++) {
    for (const [d, [, ai]] of designs.entries()) {
      const t = performance.now();
      await ai.chat.completions.create(body);
      times[d].push(performance.now() - t);
    }
    if (i % 500 === 0) await client.flush();
  }
  await stub.close();
  const base = quantile(times[0], 0.5);
  console.log('\n## sdk: added latency of a metered OpenAI chat call, exact o200k prompt bound (local stub, 3,000 calls each, interleaved)');
  console.log('| design | median µs | p90 µs | p99 µs | added (median) µs |');
  console.log('|---|---:|---:|---:|---:|');
  for (const [d, [name]] of designs.entries()) {
    console.log(`| ${name} | ${us(quantile(times[d], 0.5))} | ${us(quantile(times[d], 0.9))} | ${us(quantile(times[d], 0.99))} | ${d === 0 ? '' : us(quantile(times[d], 0.5) - base)} |`);
  }

  // The same three designs with the network taken out: a fetch that answers at once with a canned
  // response, so what is left is the SDK's own work plus the meter's (far less noise than sockets).
  const canned = JSON.stringify({ id: 'chatcmpl-x', object: 'chat.completion', created: 1, model: body.model, choices: [{ index: 0, message: { role: 'assistant', content: 'Hello.' }, finish_reason: 'stop', logprobs: null }], usage: { prompt_tokens: 20, completion_tokens: 5, total_tokens: 25 } });
  const offline = () => new OpenAI({ apiKey: 'sk-test', baseURL: 'http://offline.test/v1', maxRetries: 0, fetch: async () => new Response(canned, { headers: { 'content-type': 'application/json' } }) });
  const quiet = [['unwrapped', offline()], ['Proxy on chat.completions.create', proxyDesign(offline(), client)], ['fetch hook (shipped)', client.wrap(offline())]] as const;
  const rounds = quiet.map(() => [] as number[]);
  for (let r = 0; r < 15; r++) {
    for (const [d, [, ai]] of quiet.entries()) {
      const t = performance.now();
      for (let i = 0; i < 1000; i++) await ai.chat.completions.create(body);
      rounds[d].push((performance.now() - t) / 1000);
    }
    await client.flush();
  }
  const quietBase = quantile(rounds[0], 0.5);
  console.log('\n## sdk: the same calls without the network (a fetch answering at once): the meter\'s own cost (15 rounds of 1,000 calls, median round)');
  console.log('| design | µs a call | added µs |\n|---|---:|---:|');
  for (const [d, [name]] of quiet.entries()) console.log(`| ${name} | ${us(quantile(rounds[d], 0.5))} | ${d === 0 ? '' : us(quantile(rounds[d], 0.5) - quietBase)} |`);

  const count = await exactCounter('o200k_base');
  const words = 'the platform team runs inference on rented H100 nodes and pays for every token and GPU hour '.split(' ');
  const prompt = (seed: number) => `request ${seed}: ${Array.from({ length: 3200 }, (_, i) => words[(i * 7 + seed) % words.length]).join(' ')}`;
  const cold: number[] = [];
  const warm: number[] = [];
  let tokens = 0;
  for (let i = 0; i < 200; i++) {
    const p = prompt(i);
    let t = performance.now();
    tokens = count(p);
    cold.push(performance.now() - t);
    t = performance.now();
    count(p);
    warm.push(performance.now() - t);
  }
  console.log(`\n## sdk: o200k tokenizer on a ${tokens.toLocaleString('en-US')}-token prompt (gpt-tokenizer, 200 prompts)`);
  console.log('| count | median µs | p99 µs |\n|---|---:|---:|');
  console.log(`| first time (tokenized) | ${us(quantile(cold, 0.5))} | ${us(quantile(cold, 0.99))} |`);
  console.log(`| again (cached: chat history and system prompts come back) | ${us(quantile(warm, 0.5))} | ${us(quantile(warm, 0.99))} |`);

  const lags: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    let fired = 0;
    const c = new Client({ tenantId: 'kill', budgetUsd: 0.001, onBudgetExceeded: BudgetStrategy.CALLBACK, onBudgetCallback: () => { fired = performance.now(); }, transport: bus });
    const call = await c.begin({ provider: 'openai', model: 'gpt-4o-mini', promptTokensBound: 10, maxOutputTokens: 10, choices: 1, stream: false, operation: 'bench' });
    const t0 = performance.now();
    call.settle({ input: { total: 10_000_000 }, output: { total: 0 } }, 'ok');
    if (!fired) throw new Error('strategy did not run');
    lags.push(fired - t0);
    await c.close();
  }
  console.log('\n## sdk: kill path, from the settle that crosses the budget to the strategy running (20,000 crossings)');
  console.log(`| median µs | p99 µs | max µs |\n|---:|---:|---:|\n| ${us(quantile(lags, 0.5))} | ${us(quantile(lags, 0.99))} | ${us(Math.max(...lags))} |`);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
