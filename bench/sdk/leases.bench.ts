import OpenAI from 'openai';
import { buildServer } from '../../serving/index.js';
import { Client } from '../../sdk/index.js';
import { builtinCatalog } from '../../pricing/index.js';
import { generateSample, trainPcpo } from '../../training/index.js';
import { startProviderStub } from '../../test/helpers/provider-stub.js';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { quantile } from '../runner.js';

const KEY = 'bench-key-0123456789abcdef';

/**
 * What cloud mode adds to a call: the real OpenAI SDK against the local stub, unwrapped, metered against a local
 * budget, and metered through leases of a Lutflow server's budget (telemetry to the server too), interleaved.
 */
export async function run(): Promise<void> {
  const stub = await startProviderStub();
  const catalog = builtinCatalog();
  const modelDir = join(tmpdir(), `lutflow-bench-lease-model-${process.pid}`);
  trainPcpo({ records: generateSample({ catalog, seed: 1, runs: 1500 }).records, out: modelDir, catalog, source: 'bench', rounds: 60 });
  const { app } = await buildServer({ modelDir, apiKeys: [{ key: KEY, tenants: ['*'] }], watchModel: false, ledgerDir: mkdtempSync(join(tmpdir(), 'lutflow-bench-')) });
  const endpoint = await app.listen({ host: '127.0.0.1', port: 0 });
  await app.inject({ method: 'POST', url: '/budgets', payload: { tenant_id: 'bench', limit_usd: 1e6 }, headers: { authorization: `Bearer ${KEY}` } });
  const make = () => new OpenAI({ apiKey: 'sk-test', baseURL: `${stub.url}/v1`, maxRetries: 0 });
  const local = new Client({ tenantId: 'bench', budgetUsd: 1e6, logger: { warn() {} } });
  const cloud = new Client({ tenantId: 'bench', budgetUsd: 1e6, apiKey: KEY, leaseSliceUsd: 10, logger: { warn() {} } }, { env: { LUTFLOW_ENDPOINT: endpoint } });
  const designs: [string, OpenAI][] = [['unwrapped', make()], ['local budget', local.wrap(make())], ['leases of the server budget', cloud.wrap(make())]];
  const body = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Hello! What does a GPU hour cost?' }], max_tokens: 100 };
  const times = designs.map(() => [] as number[]);
  for (let i = 0; i < 300; i++) for (const [, ai] of designs) await ai.chat.completions.create(body);
  for (let i = 0; i < 2000; i++) {
    for (const [d, [, ai]] of designs.entries()) {
      const t0 = performance.now();
      await ai.chat.completions.create(body);
      times[d].push(performance.now() - t0);
    }
  }
  await cloud.close();
  const base = quantile(times[0], 0.5);
  console.log('\n## SDK: cloud mode (leases) against a local budget, 2,000 calls each, interleaved');
  console.log('| calls | median µs | p90 µs | p99 µs | median added µs |');
  console.log('|---|---:|---:|---:|---:|');
  designs.forEach(([name], d) => {
    const q = (p: number) => (quantile(times[d], p) * 1000).toFixed(1);
    console.log(`| ${name} | ${q(0.5)} | ${q(0.9)} | ${q(0.99)} | ${d === 0 ? '' : ((quantile(times[d], 0.5) - base) * 1000).toFixed(1)} |`);
  });
  await app.close();
  await stub.close();
}
