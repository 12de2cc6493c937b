import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { builtinCatalog } from '../../pricing/index.js';
import { generateSample, trainPcpo } from '../../training/index.js';

const KEY = 'bench-key-0123456789abcdef';
const PLAN = { kind: 'self_hosted', model: 'llama-3-8b', gpu_type: 'H100', gpu_count: 1, framework: 'vllm', batch_size: 16, requests: 64, prompt_tokens: 512, max_output_tokens: 256 };
const ROUTES = {
  bare: { path: '/predict', body: JSON.stringify({ tenant_id: 'acme', plan: PLAN }) },
  predict: { path: '/predict', body: JSON.stringify({ tenant_id: 'acme', plan: PLAN }) },
  preflight: { path: '/preflight', body: JSON.stringify({ tenant_id: 'acme', plan: PLAN, reservation_ttl_seconds: 60 }) },
} as const;
type Name = keyof typeof ROUTES;

function load(url: string, name: Name, seconds: number): Promise<autocannon.Result> {
  const r = ROUTES[name];
  return new Promise((resolve, reject) => {
    autocannon({
      url: `${url}${r.path}`, method: 'POST', connections: 50, duration: seconds, body: r.body,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    }, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

/**
 * POST /predict and POST /preflight (a reservation journaled with fsync each) under 50 connections,
 * against a bare fastify route that answers a body of the same size, all served by one child process and
 * loaded in turn from this one. Throughput on 2 shared cores is noisy, so each round also reports the
 * server's CPU time per request, which load on the other core hardly moves.
 */
export async function run(): Promise<void> {
  const catalog = builtinCatalog();
  const modelDir = join(tmpdir(), `lutflow-bench-model-${process.pid}`);
  trainPcpo({ records: generateSample({ catalog, seed: 1, runs: 3000 }).records, out: modelDir, catalog, source: 'bench sample' });
  const { buildServer } = await import('../../serving/index.js');
  const probe = await (async () => {
    const { app } = await buildServer({ modelDir, apiKeys: [{ key: KEY, tenants: ['*'] }], watchModel: false });
    const r = await app.inject({ method: 'POST', url: '/predict', payload: ROUTES.predict.body, headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` } });
    await app.close();
    if (r.statusCode !== 200) throw new Error(`probe: ${r.statusCode} ${r.body}`);
    return r.body.length;
  })();
  const ledgerDir = mkdtempSync(join(tmpdir(), 'lutflow-bench-ledger-'));
  const child = spawn(process.execPath, [join(import.meta.dirname, 'servers.js'), modelDir, ledgerDir, KEY, String(probe)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => JSON.parse((await lines.next()).value as string);
  const { ours, baseline } = await next();
  const cpu = async () => { child.stdin!.write('cpu\n'); return (await next()).cpuUs as number; };
  try {
    const rounds: { name: Name; r: autocannon.Result; cpuPerReq: number }[] = [];
    const order: Name[] = ['bare', 'predict', 'preflight', 'bare', 'predict', 'preflight', 'bare', 'predict', 'preflight'];
    for (const name of order) {
      const before = await cpu();
      const r = await load(name === 'bare' ? baseline : ours, name, 6);
      rounds.push({ name, r, cpuPerReq: ((await cpu()) - before) / r.requests.total });
    }
    const pick = (n: Name) => rounds.filter((x) => x.name === n);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const rps = (n: Name) => mean(pick(n).map((x) => x.r.requests.average));
    const cpuUs = (n: Name) => mean(pick(n).map((x) => x.cpuPerReq));
    const p99 = (n: Name) => Math.max(...pick(n).map((x) => x.r.latency.p99));
    const errors = rounds.reduce((a, x) => a + x.r.errors + x.r.non2xx, 0);
    console.log(`\n## serving: 50 connections, 3 x 6 s rounds each, interleaved; /predict answers ${probe} bytes`);
    console.log('| route | requests/s (mean) | p99 ms (worst round) | throughput vs bare | server CPU µs / request | bare CPU / this CPU |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const n of ['bare', 'predict', 'preflight'] as const) {
      console.log(`| ${n === 'bare' ? 'bare fastify route, same body size' : `lutflow POST /${n}`} | ${Math.round(rps(n)).toLocaleString('en-US')} | ${p99(n)} | ${(rps(n) / rps('bare')).toFixed(3)} | ${cpuUs(n).toFixed(1)} | ${(cpuUs('bare') / cpuUs(n)).toFixed(3)} |`);
    }
    console.log(`errors and non-2xx answers: ${errors}`);
  } finally {
    child.kill();
  }
}
