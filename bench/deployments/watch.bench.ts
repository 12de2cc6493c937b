import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { quantile } from '../runner.js';

/**
 * lutflow watch in a real terminal (tmux): from a spend tick arriving on the server's event stream to the new figure
 * on the screen, for one deployment metered every second. The baseline is the same event stream read directly.
 * Needs tmux and a model directory (LUTFLOW_BENCH_MODEL, default models/pcpo).
 */
const ROOT = resolve(import.meta.dirname, '../..');
const KEY = 'bench-admin-key-0123456789';
const tsx = ['--import', 'tsx'];

export async function run(): Promise<void> {
  const model = process.env.LUTFLOW_BENCH_MODEL ?? join(ROOT, 'models/pcpo');
  const serve = spawn(process.execPath, [...tsx, join(ROOT, 'cli/main.ts'), 'serve', '--model', model, '--port', '0', '--ledger', mkdtempSync(join(tmpdir(), 'bench-')), '--fsync', 'never'], {
    env: { ...process.env, LUTFLOW_API_KEYS: `${KEY}=*`, LUTFLOW_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'pipe'], cwd: ROOT,
  });
  let err = '';
  serve.stderr!.on('data', (d) => { err += d; });
  while (!/listening on (\S+)/.test(err)) await new Promise((r) => setTimeout(r, 50));
  const base = /listening on (\S+)/.exec(err)![1];
  const session = `lutflow-bench-${process.pid}`;
  const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
  try {
    await fetch(`${base}/budgets`, { method: 'POST', headers, body: JSON.stringify({ tenant_id: 'acme', limit_usd: 100 }) });
    execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '200', '-y', '50', `${process.execPath} ${tsx.join(' ')} ${join(ROOT, 'cli/main.ts')} watch --endpoint ${base} --api-key ${KEY}`], { cwd: ROOT });
    const server = [process.execPath, '-e', 'require("http").createServer((q,s)=>s.end("ok")).listen(+process.env.PORT,"127.0.0.1")'];
    const r = await fetch(`${base}/deployments`, { method: 'POST', headers, body: JSON.stringify({ tenant_id: 'acme', model: 'tiny', gpu_type: 'H100', gpu_count: 8, budget_usd: 10, command: server }) });
    const id = (await r.json()).deployment.id as string;
    const arrived = new Map<string, number>();
    const abort = new AbortController();
    void (async () => {
      const res = await fetch(`${base}/deployments/events`, { headers, signal: abort.signal });
      let buf = '';
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        buf += Buffer.from(chunk).toString();
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (!block.startsWith('event: tick')) continue;
          const d = JSON.parse(/^data: (.*)$/m.exec(block)![1]).deployment;
          const shown = `$${d.spent_usd.toFixed(4)}`;
          if (!arrived.has(shown)) arrived.set(shown, performance.now());
        }
      }
    })().catch(() => {});
    const lags: number[] = [];
    let last = '';
    const end = performance.now() + 15_000;
    while (performance.now() < end) {
      const screen = execFileSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' });
      const m = new RegExp(`${id}.*?(\\$\\d+\\.\\d{4}) /`).exec(screen);
      if (m && m[1] !== last) {
        last = m[1];
        const t = arrived.get(m[1]);
        if (t !== undefined) lags.push(performance.now() - t);
      }
      await new Promise((res) => setTimeout(res, 10));
    }
    abort.abort();
    console.log('\n## deployments: lutflow watch in tmux, a spend tick on the event stream to its figure on the screen (1 s ticks, 15 s)');
    console.log('| screen changes seen | median ms | p90 ms | max ms |');
    console.log('|---:|---:|---:|---:|');
    console.log(`| ${lags.length} | ${quantile(lags, 0.5).toFixed(0)} | ${quantile(lags, 0.9).toFixed(0)} | ${Math.max(...lags).toFixed(0)} |`);
  } finally {
    try { execFileSync('tmux', ['kill-session', '-t', session]); } catch { /* gone */ }
    serve.kill('SIGTERM');
    await new Promise((r) => serve.once('exit', r));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
