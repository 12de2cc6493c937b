import { execFileSync, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { CostWindowAggregator, createKafka, createKafkaTransport, decode, ensureTopics, TOPICS } from '../../stream/index.js';
import { chunkMessages } from '../../stream/kafka/chunks.js';
import { telemetryWorkload, windowSums } from '../../test/helpers/telemetry-workload.js';
import { quantile } from '../runner.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const PORT = 19492;
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const broker = (cmd: string, ...args: string[]) => execFileSync('bash', [join(ROOT, 'scripts/kafka.sh'), cmd, ...args, String(PORT)], { stdio: ['ignore', 'ignore', 'inherit'] });

/** `lutflow windows` (the built CLI) in its own process; its JSON log lines, and its metrics once it says where. */
function job(group: string) {
  const spawned = Date.now();
  const logs: Record<string, unknown>[] = [];
  const child = spawn(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'windows', '--brokers', `127.0.0.1:${PORT}`, '--group', group,
    '--idle-timeout', '3s', '--commit-interval', '500ms', '--metrics', '127.0.0.1:0', '--give-up-after', '5m'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let rest = '';
  child.stderr.on('data', (d: Buffer) => {
    const parts = (rest + d.toString()).split('\n');
    rest = parts.pop()!;
    for (const p of parts) try { logs.push(JSON.parse(p)); } catch { /* not a log line */ }
  });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  const logged = (msg: string) => logs.find((l) => l.msg === msg);
  /** Summed lag and events, from /metrics. */
  const scrape = async () => {
    const url = logged('started')?.metrics as string | undefined;
    if (!url) return undefined;
    const text = await (await fetch(url)).text().catch(() => '');
    const lag = [...text.matchAll(/^lutflow_windows_consumer_lag\{partition="\d+"\} (\d+)$/gm)].reduce((a, m) => a + Number(m[1]), 0);
    const events = Number(/^lutflow_windows_events_total (\d+)$/m.exec(text)?.[1] ?? 0);
    return { lag, events };
  };
  const resumedAfterMs = () => {
    const r = logged('resumed from the recorded state');
    return r ? { total: Date.parse(r.time as string) - spawned, restore: r.restoreMs as number, join: r.consumerMs as number } : undefined;
  };
  return { child, exited, scrape, resumedAfterMs };
}

async function until(cond: () => Promise<boolean> | boolean, timeoutMs: number) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) { if (await cond()) return true; await sleep(100); }
  return false;
}

/**
 * The acceptance run at full size on a real broker: 200k telemetry events from 50 tenants (out of order,
 * late, duplicated) through the SDK's Kafka transport while the `lutflow windows` process is SIGKILLed
 * twice and the broker is killed once; per-tenant window sums against the truth. Before it, the job's
 * throughput on a backlog of the same size against the same work in memory (decode, validate, aggregate).
 */
export async function run(): Promise<void> {
  const N = Number(process.env.LUTFLOW_BENCH_EVENTS ?? 200_000);
  broker('start', '--fresh');
  const kafka = (id: string) => createKafka({ brokers: [`127.0.0.1:${PORT}`], clientId: id });
  try {
    const admin = kafka('admin').admin();
    await admin.connect();
    await ensureTopics(admin);
    await admin.disconnect();

    // 1. Throughput on a backlog.
    const backlog = telemetryWorkload({ events: N, tenants: 50, prefix: 'tp', seed: 3 });
    const bytes = backlog.events.map((e) => Buffer.from(JSON.stringify(e)));
    let t = performance.now();
    const agg = new CostWindowAggregator({ emit: () => {}, idleTimeoutMs: 3000 });
    for (const b of bytes) { const v = decode(TOPICS.telemetry, b); if (v.ok) agg.add(v.value); }
    const memRate = N / ((performance.now() - t) / 1000);
    const p = kafka('backlog').producer({ idempotent: true, maxInFlightRequests: 1 });
    await p.connect();
    for (const chunk of chunkMessages(backlog.events.map((e, i) => ({ key: e.tenant_id, value: bytes[i] })))) await p.send({ topic: TOPICS.telemetry, messages: chunk });
    await p.disconnect();
    const tp = job('bench-throughput');
    let first = 0, caught = 0;
    await until(async () => {
      const m = await tp.scrape();
      if (m && m.events > 0 && !first) first = performance.now();
      if (m && first && m.lag === 0 && m.events >= N - backlog.duplicates) { caught = performance.now(); return true; }
      return false;
    }, 600_000);
    tp.child.kill('SIGTERM');
    await tp.exited;
    const jobRate = N / ((caught - first) / 1000);
    console.log(`\n## stream: the cost-window job on a backlog of ${fmt(N)} events (50 tenants)`);
    console.log('| path | events/s | vs in memory |\n|---|---:|---:|');
    console.log(`| in memory (decode, validate, aggregate; no Kafka) | ${fmt(memRate)} | 1.000 |`);
    console.log(`| lutflow windows (fetch, the same work, transactions of windows + state + offsets every 500 ms) | ${fmt(jobRate)} | ${(jobRate / memRate).toFixed(3)} |`);

    // 2. The faults run, on a fresh broker (its lag is its own).
    broker('wipe');
    broker('start', '--fresh');
    const admin2 = kafka('admin').admin();
    await admin2.connect();
    await ensureTopics(admin2);
    await admin2.disconnect();
    const wl = telemetryWorkload({ events: N, tenants: 50, prefix: 'eo', seed: 11 });
    const transport = createKafkaTransport({ kafka: kafka('sdk'), capacity: 20_000 });
    const records: { key?: string; value: string }[] = [];
    const reader = kafka('reader').consumer({ groupId: 'bench-reader', maxWaitTimeInMs: 200, retry: { retries: 100 } });
    await reader.connect();
    await reader.subscribe({ topic: TOPICS.costWindows, fromBeginning: true });
    await reader.run({ eachMessage: async ({ message }) => { records.push({ key: message.key?.toString(), value: message.value!.toString() }); } });
    let w = job('bench-faults');
    const restarts: { total: number; restore: number; join: number }[] = [];
    const lags: number[] = [];
    const sampler = setInterval(() => { void w.scrape().then((m) => { if (m) lags.push(m.lag); }, () => {}); }, 1000);
    const t0 = performance.now();
    const chunk = Math.ceil(N / 40);
    let outage = 0;
    for (let i = 0, step = 0; i < N; i += chunk, step++) {
      for (const e of wl.events.slice(i, i + chunk)) await transport.publishAsync(TOPICS.telemetry, undefined, e);
      await sleep(100);
      if (step === 10 || step === 30) {
        w.child.kill('SIGKILL');
        await w.exited;
        w = job('bench-faults');
        await until(() => !!w.resumedAfterMs(), 120_000);
        restarts.push(w.resumedAfterMs()!);
      }
      if (step === 20) {
        const k = performance.now();
        broker('kill');
        await sleep(10_000);
        broker('start');
        outage = performance.now() - k;
      }
    }
    await transport.flush(120_000);
    const produced = performance.now() - t0;
    const exact = await until(() => {
      const s = windowSums(records, 'eo').perTenant;
      return s.size === wl.truth.size && [...wl.truth].every(([k, v]) => s.get(k) === v);
    }, 300_000);
    const done = performance.now() - t0;
    clearInterval(sampler);
    const sums = windowSums(records, 'eo');
    const total = [...wl.truth.values()].reduce((a, b) => a + b, 0);
    const off = [...wl.truth].filter(([k, v]) => sums.perTenant.get(k) !== v).length;
    w.child.kill('SIGTERM');
    await w.exited;
    await reader.disconnect();
    await transport.close();
    console.log(`\n## stream: exactly once under faults (${fmt(N)} events, 50 tenants, ${fmt(wl.duplicates)} duplicates, ${fmt(wl.late)} late)`);
    console.log('| measure | result |\n|---|---|');
    console.log(`| per-tenant window sums equal to the truth | ${exact ? 'yes' : 'NO'}: ${50 - off}/50 tenants, ${fmt(total)} µ$ in all; windows republished with less: ${sums.decreases} |`);
    console.log(`| faults | window job SIGKILLed twice, broker killed once (${(outage / 1000).toFixed(1)} s down, restart included) |`);
    console.log(`| end to end: first publish → every window exact (includes the 3 s idle close and the outage) | ${(done / 1000).toFixed(1)} s; ${fmt(N / (done / 1000))} events/s |`);
    console.log(`| producing (SDK transport, publishAsync) | ${(produced / 1000).toFixed(1)} s; ${fmt(N / (produced / 1000))} events/s |`);
    console.log(`| consumer lag sampled each second: median / max | ${fmt(quantile(lags, 0.5))} / ${fmt(Math.max(0, ...lags))} records |`);
    console.log(`| restart after SIGKILL: process start → resumed (reading the state back; joining the group) | ${restarts.map((r) => `${(r.total / 1000).toFixed(1)} s (${r.restore} ms; ${(r.join / 1000).toFixed(1)} s)`).join(', ')} |`);
  } finally {
    broker('wipe');
  }
}
