import { spawn } from 'node:child_process';
import { builtinCatalog } from '../../pricing/index.js';
import { localRuntime } from '../../serving/deployments/local-runtime.js';
import { DeploymentService } from '../../serving/deployments/service.js';
import type { DeploymentView } from '../../serving/deployments/view.js';
import { FileLedger } from '../../serving/ledger/index.js';
import type { Predictor } from '../../serving/predictor.js';
import { quantile } from '../runner.js';

/**
 * The kill path of a deployment at its budget: local model servers (a small HTTP server process each) with budgets
 * lasting 2 s of an H100's price, metered at 1 s and 100 ms ticks. Measured: from the instant the metered cost
 * crosses the budget to the server's process group gone, the spend against the budget, and what a tick costs.
 * Baseline in the same process: spawning the same server and stopping its process group directly (SIGTERM, wait).
 */
const ROUNDS = 8;
const SERVER = [process.execPath, '-e', 'process.on("SIGTERM",()=>process.exit(0));require("http").createServer((q,s)=>s.end("ok")).listen(+process.env.PORT,"127.0.0.1")'];

async function baseline(): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const child = spawn(SERVER[0], SERVER.slice(1), { detached: true, stdio: 'ignore', env: { ...process.env, PORT: '0' } });
    await new Promise((r) => setTimeout(r, 300));
    const t0 = performance.now();
    const gone = new Promise((r) => child.once('exit', r));
    process.kill(-child.pid!, 'SIGTERM');
    await gone;
    out.push(performance.now() - t0);
  }
  return out;
}

async function deployments(tickMs: number): Promise<DeploymentView[]> {
  const noModel: Predictor = { predict: () => { throw new Error('no workload in this bench'); } };
  const ledger = new FileLedger({ clock: Date.now });
  const catalog = builtinCatalog();
  const service = new DeploymentService({ ledger, catalog, predictor: noModel, clock: Date.now, log: { warn: () => {}, error: () => {} } }, {
    tickMs, graceMs: 5000, healthTimeoutMs: 10_000, runtimes: { local: localRuntime({ healthIntervalMs: 50 }) },
  });
  const perHour = catalog.gpuPrices.quote('H100-SXM').microsPerGpuHour;
  const budgetUsd = Math.round((perHour * 2) / 3600) / 1e6;
  const ids: string[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const r = await service.create({
      tenant_id: 'bench', model: 'tiny', gpu_type: 'H100', gpu_count: 1, runtime: 'local', strategy: 'kill', framework: 'vllm',
      budget_micros: Math.round(budgetUsd * 1e6), command: SERVER,
    });
    if (r.decision !== 'allow') throw new Error(r.reason);
    ids.push(r.deployment.id);
  }
  for (;;) {
    const all = ids.map((id) => service.get(id)!);
    if (all.every((d) => d.settled)) return all;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function run(): Promise<void> {
  const base = await baseline();
  console.log(`\n## deployments: the kill path at the budget (${ROUNDS} local servers per row, budget = 2 s of an H100)`);
  console.log('| scenario | crossing → process group gone: median ms | max ms | vs baseline median | spend − budget: median µ$ | max µ$ | one tick µ$ |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  const bm = quantile(base, 0.5);
  console.log(`| baseline: SIGTERM to the group, wait for exit | ${bm.toFixed(1)} | ${Math.max(...base).toFixed(1)} | 1.00 | | | |`);
  for (const tick of [1000, 100]) {
    const ds = await deployments(tick);
    const late = ds.map((d) => {
      const rate = (d.prediction.micros_per_gpu_hour * d.gpu_count) / 3_600_000;
      const crossing = Date.parse(d.started_at!) + Math.round((d.budget_usd! * 1e6) / rate);
      return Date.parse(d.stop!.gone_at!) - crossing;
    });
    const over = ds.map((d) => d.spent_micros - Math.round(d.budget_usd! * 1e6));
    const tickMicros = Math.ceil((ds[0].prediction.micros_per_gpu_hour * tick) / 3_600_000);
    const reasons = new Set(ds.map((d) => d.reason));
    console.log(`| Lutflow, ${tick} ms ticks (${[...reasons].join(', ')}) | ${quantile(late, 0.5).toFixed(1)} | ${Math.max(...late).toFixed(1)} | ${(quantile(late, 0.5) / bm).toFixed(2)} | ${quantile(over, 0.5)} | ${Math.max(...over)} | ${tickMicros} |`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
