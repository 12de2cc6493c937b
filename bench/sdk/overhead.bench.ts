import OpenAI from 'openai';
import { BudgetStrategy, Client } from '../../sdk/index.js';
import { createEmbeddedBus } from '../../stream/index.js';
import { startProviderStub } from '../../test/helpers/provider-stub.js';
import { quantile } from '../runner.js';


/**
 * Added latency of a wrapped call: the real OpenAI SDK against a local stub, wrapped and unwrapped
 * calls interleaved in one script so both see the same noise. And the kill path: from the settle
 * that crosses the budget to the strategy running.
 */
export async function run(): Promise<void> {
  const stub = await startProviderStub();
  const raw = new OpenAI({ apiKey: 'sk-test', baseURL: `${stub.url}/v1`, maxRetries: 0 });
  const bus = createEmbeddedBus();
  const client = new Client({ tenantId: 'bench', budgetUsd: 1e6, transport: bus });
  const wrapped = client.wrap(new OpenAI({ apiKey: 'sk-test', baseURL: `${stub.url}/v1`, maxRetries: 0 }));
  const body = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Hello!' }], max_tokens: 100 };
  const plain: number[] = [], metered: number[] = [];
  for (let i = 0; i < 300; i++) { await raw.chat.completions.create(body); await wrapped.chat.completions.create(body); }
  for (let i = 0; i < 3000; i++) {
    let t = performance.now();
    await raw.chat.completions.create(body);
    plain.push(performance.now() - t);
    t = performance.now();
    await wrapped.chat.completions.create(body);
    metered.push(performance.now() - t);
    if (i % 500 === 0) await client.flush();
  }
  await stub.close();
  const us = (ms: number) => (ms * 1000).toFixed(1);
  console.log('\n## sdk: added latency of a wrapped OpenAI chat call (local stub, 3,000 calls each, interleaved)');
  console.log('| calls | median µs | p90 µs | p99 µs |');
  console.log('|---|---:|---:|---:|');
  console.log(`| unwrapped | ${us(quantile(plain, 0.5))} | ${us(quantile(plain, 0.9))} | ${us(quantile(plain, 0.99))} |`);
  console.log(`| wrapped | ${us(quantile(metered, 0.5))} | ${us(quantile(metered, 0.9))} | ${us(quantile(metered, 0.99))} |`);
  console.log(`added latency, median of wrapped − median of unwrapped: ${us(quantile(metered, 0.5) - quantile(plain, 0.5))} µs`);

  const lags: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    let fired = 0;
    const c = new Client({ tenantId: 'kill', budgetUsd: 0.001, onBudgetExceeded: BudgetStrategy.CALLBACK, onBudgetCallback: () => { fired = performance.now(); }, transport: bus });
    const call = await c.begin({ provider: 'openai', model: 'gpt-4o-mini', promptTokensBound: 10, maxOutputTokens: 10, choices: 1, stream: false, operation: 'bench' });
    const t0 = performance.now();
    call.settle({ input: { total: 10_000_000 }, output: { total: 0 } }, 'ok');
    if (!fired) throw new Error('strategy did not run');
    lags.push(fired - t0);
  }
  console.log('\n## sdk: kill path, from the settle that crosses the budget to the strategy running (20,000 crossings)');
  console.log(`| median µs | p99 µs | max µs |\n|---:|---:|---:|\n| ${us(quantile(lags, 0.5))} | ${us(quantile(lags, 0.99))} | ${us(Math.max(...lags))} |`);
}
