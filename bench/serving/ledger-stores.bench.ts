import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { builtinCatalog } from '../../pricing/index.js';
import { generateSample, trainPcpo } from '../../training/index.js';

const KEY = 'bench-key-0123456789abcdef';
const PLAN = { kind: 'self_hosted', model: 'llama-3-8b', gpu_type: 'H100', gpu_count: 1, framework: 'vllm', batch_size: 16, requests: 64, prompt_tokens: 512, max_output_tokens: 256 };
const SCRIPT = resolve(import.meta.dirname, '../../../scripts/postgres.sh');

const freePort = () => new Promise<number>((r) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => { const { port } = s.address() as { port: number }; s.close(() => r(port)); });
});

function load(url: string, seconds: number): Promise<autocannon.Result> {
  return new Promise((res, rej) => {
    autocannon({
      url: `${url}/preflight`, method: 'POST', connections: 50, duration: seconds,
      body: JSON.stringify({ tenant_id: 'acme', plan: PLAN, reservation_ttl_seconds: 60 }),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    }, (err, r) => (err ? rej(err) : res(r)));
  });
}

/** Spawns bench/serving/servers.js with this ledger (a directory, or a postgres:// URL) and returns its address. */
async function serverWith(modelDir: string, ledger: string) {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'servers.js'), modelDir, ledger, KEY, '300'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((r) => createInterface({ input: child.stdout! }).once('line', r));
  return { url: JSON.parse(line).ours as string, child };
}

/**
 * POST /preflight (a prediction and a reservation: a journaled write with fsync, or one locked call on
 * PostgreSQL) under 50 connections, the file ledger against the PostgreSQL ledger (a local server, fsync on),
 * rounds interleaved.
 */
export async function run(): Promise<void> {
  const catalog = builtinCatalog();
  const modelDir = join(tmpdir(), `lutflow-bench-model-${process.pid}`);
  trainPcpo({ records: generateSample({ catalog, seed: 1, runs: 3000 }).records, out: modelDir, catalog, source: 'bench sample' });
  const port = await freePort();
  execFileSync('bash', [SCRIPT, 'start', '--fresh', String(port)], { stdio: 'inherit' });
  const file = await serverWith(modelDir, mkdtempSync(join(tmpdir(), 'lutflow-bench-ledger-')));
  const pg = await serverWith(modelDir, `postgres://postgres@127.0.0.1:${port}/postgres`);
  try {
    const rounds: { name: string; r: autocannon.Result }[] = [];
    for (const [name, url] of [['file', file.url], ['postgres', pg.url], ['file', file.url], ['postgres', pg.url]] as const) rounds.push({ name, r: await load(url, 8) });
    console.log('\n## ledger stores: POST /preflight, 50 connections, 2 x 8 s rounds each, interleaved');
    console.log('| ledger | pre-flights/s (mean) | p50 ms | p99 ms (worst round) | vs file |');
    console.log('|---|---:|---:|---:|---:|');
    const of = (n: string) => rounds.filter((x) => x.name === n).map((x) => x.r);
    const rps = (n: string) => of(n).reduce((a, r) => a + r.requests.average, 0) / of(n).length;
    for (const n of ['file', 'postgres']) {
      console.log(`| ${n} | ${Math.round(rps(n)).toLocaleString('en-US')} | ${Math.max(...of(n).map((r) => r.latency.p50))} | ${Math.max(...of(n).map((r) => r.latency.p99))} | ${(rps(n) / rps('file')).toFixed(3)} |`);
    }
    console.log(`errors and non-2xx answers: ${rounds.reduce((a, x) => a + x.r.errors + x.r.non2xx, 0)}`);
  } finally {
    file.child.kill();
    pg.child.kill();
    execFileSync('bash', [SCRIPT, 'wipe', String(port)], { stdio: 'inherit' });
  }
}
