import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { builtinCatalog } from '../../pricing/index.js';
import { generateSample, trainPcpo } from '../../training/index.js';

const KEY = 'bench-key-0123456789abcdef';
const BODY = JSON.stringify({ tenant_id: 'acme', plan: { kind: 'self_hosted', model: 'llama-3-8b', gpu_type: 'H100', gpu_count: 1, framework: 'vllm', batch_size: 16, requests: 64, prompt_tokens: 512, max_output_tokens: 256 } });

function load(url: string, seconds: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ url: `${url}/predict`, method: 'POST', connections: 50, duration: seconds, body: BODY, headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` } }, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

/**
 * POST /predict under 50 connections against a bare fastify route that answers a body of the same
 * size, both served by one child process, loaded in turn (bare, ours, bare, ours) from this one.
 */
export async function run(): Promise<void> {
  const catalog = builtinCatalog();
  const modelDir = join(tmpdir(), `lutflow-bench-model-${process.pid}`);
  trainPcpo({ records: generateSample({ catalog, seed: 1, runs: 3000 }).records, out: modelDir, catalog, source: 'bench sample' });
  const probe = await (async () => {
    const { buildServer } = await import('../../serving/index.js');
    const { app } = await buildServer({ modelDir, apiKeys: [{ key: KEY, tenants: ['*'] }], watchModel: false });
    const r = await app.inject({ method: 'POST', url: '/predict', payload: BODY, headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` } });
    await app.close();
    if (r.statusCode !== 200) throw new Error(`probe: ${r.statusCode} ${r.body}`);
    return r.body.length;
  })();
  const child = spawn(process.execPath, [join(import.meta.dirname, 'servers.js'), modelDir, KEY, String(probe)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const { ours, baseline } = JSON.parse(await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve)));
  try {
    const rounds: { name: string; r: autocannon.Result }[] = [];
    for (const [name, url] of [['bare', baseline], ['predict', ours], ['bare', baseline], ['predict', ours]] as const) rounds.push({ name, r: await load(url, 8) });
    const pick = (n: string) => rounds.filter((x) => x.name === n).map((x) => x.r);
    const rps = (rs: autocannon.Result[]) => rs.reduce((a, r) => a + r.requests.average, 0) / rs.length;
    const p99 = (rs: autocannon.Result[]) => Math.max(...rs.map((r) => r.latency.p99));
    const errors = rounds.reduce((a, x) => a + x.r.errors + x.r.non2xx, 0);
    console.log(`\n## serving: POST /predict, 50 connections, 2 x 8 s each, response ${probe} bytes`);
    console.log('| server | requests/s (mean) | p99 latency ms (worst round) | vs bare |');
    console.log('|---|---:|---:|---:|');
    console.log(`| bare fastify route, same body size | ${Math.round(rps(pick('bare'))).toLocaleString('en-US')} | ${p99(pick('bare'))} | 1.000 |`);
    console.log(`| lutflow POST /predict | ${Math.round(rps(pick('predict'))).toLocaleString('en-US')} | ${p99(pick('predict'))} | ${(rps(pick('predict')) / rps(pick('bare'))).toFixed(3)} |`);
    console.log(`errors and non-2xx answers: ${errors}`);
  } finally {
    child.kill();
  }
}
