import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { builtinCatalog } from '../../pricing/index.js';
import { buildServer } from '../../serving/index.js';
import { defaultAssetsDir } from '../../serving/routes/dashboard/assets.js';
import { RunBook } from '../../serving/routes/dashboard/run-book.js';
import { SpendBook } from '../../serving/routes/dashboard/spend-book.js';
import { tapRoutes } from '../../serving/routes/dashboard/taps.js';
import { telemetryRoutes } from '../../serving/routes/telemetry.js';
import type { TelemetryEvent } from '../../stream/index.js';
import { appendRunRecords, generateSample, trainPcpo } from '../../training/index.js';
import { measure, quantile } from '../runner.js';

const KEY = 'bench-key-0123456789abcdef';
const BATCH = 500;
let ids = 0;

const batch = () => JSON.stringify({
  events: Array.from({ length: BATCH }, (_, i) => ({
    schema_version: 1, event_id: `b-${++ids}`, event_time: new Date(Date.now() - 1000 - i).toISOString(), tenant_id: `t${i % 5}`,
    provider: 'openai', model: 'gpt-4o', tokens: { input: 900, cached_input: 100, output: 200 }, cost_usd_micros: 1234, outcome: 'ok',
  })),
});

async function timeBatches(app: FastifyInstance, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const payload = batch();
    const t0 = process.hrtime.bigint();
    const r = await app.inject({ method: 'POST', url: '/telemetry', payload, headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` } });
    out.push(Number(process.hrtime.bigint() - t0) / 1e3);
    if (r.statusCode !== 200) throw new Error(r.body);
  }
  return out;
}

async function timeGet(app: FastifyInstance, url: string, n: number): Promise<{ first: number; median: number }> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    const r = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${KEY}` } });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.statusCode !== 200) throw new Error(r.body);
  }
  return { first: times[0], median: quantile(times.slice(1), 0.5) };
}

/**
 * The dashboard's cost to the API: POST /telemetry (500-event batches) with and without the tap that feeds the
 * dashboard, in the same process on the same ledger; the dashboard routes over a 3,000-run table (first read,
 * then cached); and the size of what a browser downloads.
 */
export async function run(): Promise<void> {
  const catalog = builtinCatalog();
  const dir = join(tmpdir(), `lutflow-bench-ui-${process.pid}`);
  const table = join(dir, 'pcpo_runs');
  const records = generateSample({ catalog, seed: 1, runs: 3000 }).records;
  const v = await appendRunRecords(table, records);
  trainPcpo({ records, out: join(dir, 'model'), catalog, source: table, deltaVersion: v.version, rounds: 60 });
  const { app, context } = await buildServer({ modelDir: join(dir, 'model'), apiKeys: [{ key: KEY, tenants: ['*'] }], watchModel: false, alertIntervalMs: 0 });
  for (let t = 0; t < 5; t++) await context.ledger.create({ tenant_id: `t${t}`, limit_micros: 1e15 });

  const bare = Fastify({ bodyLimit: 2 << 20 });
  telemetryRoutes(bare, context);
  const tapped = Fastify({ bodyLimit: 2 << 20 });
  telemetryRoutes(tapped, context);
  const spend = new SpendBook({ clock: Date.now });
  tapRoutes(tapped, context, { spend, runs: new RunBook(Date.now) });
  await timeBatches(bare, 20);
  await timeBatches(tapped, 20);
  // Batch by batch in turn, the order swapped each time: load from other processes falls on both alike.
  const without: number[] = [];
  const withTap: number[] = [];
  for (let i = 0; i < 200; i++) {
    const [first, second] = i % 2 ? [bare, tapped] : [tapped, bare];
    const a = (await timeBatches(first, 1))[0];
    const b = (await timeBatches(second, 1))[0];
    (first === bare ? without : withTap).push(a);
    (second === bare ? without : withTap).push(b);
  }
  spend.close();
  // The tap's own work per event, alone: the tallies and the 10-second windows (fresh ids, so nothing is skipped).
  const book = new SpendBook({ clock: Date.now });
  const events = (JSON.parse(batch()) as { events: TelemetryEvent[] }).events;
  let round = 0;
  const record = measure('SpendBook.record', BATCH, () => {
    round++;
    for (const e of events) book.record({ ...e, event_id: `${e.event_id}-${round}` });
  });
  book.close();
  const a = quantile(without, 0.5);
  const b = quantile(withTap, 0.5);
  console.log('\n## Dashboard: what it costs the API (issue 15)');
  console.log(`| POST /telemetry, ${BATCH} events | median µs a batch | µs an event | vs without the tap |`);
  console.log('|---|---:|---:|---:|');
  console.log(`| without the dashboard tap | ${a.toFixed(0)} | ${(a / BATCH).toFixed(2)} | 1.000 |`);
  console.log(`| with the tap (budget check, tallies, 10-second windows) | ${b.toFixed(0)} | ${(b / BATCH).toFixed(2)} | ${(b / a).toFixed(3)} |`);
  console.log(`| the tap's tallies and windows alone | ${(record.nsPerOp * BATCH / 1e3).toFixed(0)} | ${(record.nsPerOp / 1e3).toFixed(2)} | ${(record.nsPerOp * BATCH / 1e3 / a).toFixed(3)} |`);

  console.log('\n| route (3,000-run table, 5 tenants) | first answer ms | then (median) ms |');
  console.log('|---|---:|---:|');
  for (const url of ['/spend', '/runs?limit=200', '/models/accuracy', '/budgets']) {
    const t = await timeGet(app, url, 21);
    console.log(`| GET ${url} | ${t.first.toFixed(1)} | ${t.median.toFixed(1)} |`);
  }
  await app.close();

  const assets = join(defaultAssetsDir(), 'assets');
  let raw = 0, gz = 0;
  for (const f of readdirSync(assets)) {
    raw += statSync(join(assets, f)).size;
    gz += gzipSync(readFileSync(join(assets, f)), { level: 9 }).length;
  }
  console.log(`\nDashboard download (${defaultAssetsDir()}): ${(raw / 1024).toFixed(0)} KiB of scripts and styles, ${(gz / 1024).toFixed(0)} KiB gzip-compressed as served.`);
}
