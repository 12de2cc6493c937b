import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { optimizeDeltaTable, readDeltaTable, readSnapshot } from '../../delta/index.js';
import { builtinCatalog } from '../../pricing/index.js';
import { appendRunRecords, generateSample } from '../../training/index.js';
import type { RunRecord } from '../../stream/index.js';
import { quantile } from '../runner.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const PYTHON = join(ROOT, '.venv/bin/python');

/** Median of three: our read, Python deltalake's read (timed inside Python), a sink's start (snapshot + run ids). */
async function measure(table: string) {
  const ours: number[] = [], theirs: number[] = [], start: number[] = [];
  let rows = 0;
  for (let i = 0; i < 3; i++) {
    let t = performance.now();
    rows = (await readDeltaTable(table)).rows.length;
    ours.push(performance.now() - t);
    const py = JSON.parse(execFileSync(PYTHON, [join(ROOT, 'test/delta/deltalake_ref.py'), 'time', table], { encoding: 'utf8' })) as { rows: number; seconds: number };
    if (py.rows !== rows) throw new Error(`deltalake read ${py.rows} rows, ours ${rows}`);
    theirs.push(py.seconds * 1000);
    t = performance.now();
    await readSnapshot(table);
    await readDeltaTable(table, { columns: ['run_id'] });
    start.push(performance.now() - t);
  }
  const s = await readSnapshot(table);
  const commits = readdirSync(join(table, '_delta_log')).filter((f) => /^\d{20}\.json$/.test(f)).length;
  return { rows, commits, files: s.files.size, checkpoint: readdirSync(join(table, '_delta_log')).some((f) => f.endsWith('.checkpoint.parquet')), ours: quantile(ours, 0.5), theirs: quantile(theirs, 0.5), start: quantile(start, 0.5) };
}

async function write(table: string, records: RunRecord[], perCommit: number, checkpoints: boolean) {
  let snapshot;
  for (let i = 0; i < records.length; i += perCommit) {
    ({ snapshot } = await appendRunRecords(table, records.slice(i, i + perCommit), {
      txns: [{ appId: 'bench/0', version: i }], snapshot,
      configuration: checkpoints ? undefined : { 'delta.checkpointInterval': '1000000000' },
    }));
  }
}

/**
 * Read time of the pcpo_runs Delta table as it grows, in the layout the old sink left (a commit and a file
 * per ~4 rows, no checkpoint), in the sink's layout now (a commit per 5,000 rows, checkpoints), and after
 * compaction; our reader against Python `deltalake` on the same tables.
 */
export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lutflow-delta-bench-'));
  try {
    const records = generateSample({ catalog: builtinCatalog(), seed: 5, runs: 100_000 }).records;
    const rows: [string, Awaited<ReturnType<typeof measure>>][] = [];
    const old = join(dir, 'old-5k');
    await write(old, records.slice(0, 5000), 4, false);
    rows.push(['5,000 rows, old sink layout (a commit per ~4 rows, no checkpoint)', await measure(old)]);
    for (const n of [5000, 100_000]) {
      const t = join(dir, `sink-${n}`);
      await write(t, records.slice(0, n), 5000, true);
      rows.push([`${n.toLocaleString('en-US')} rows, sink layout (a commit per 5,000 rows, checkpoints)`, await measure(t)]);
      await optimizeDeltaTable(t);
      rows.push([`${n.toLocaleString('en-US')} rows, compacted (lutflow delta optimize)`, await measure(t)]);
    }
    await optimizeDeltaTable(old);
    rows.push(['5,000 rows, old layout compacted', await measure(old)]);
    console.log('\n## stream: reading the pcpo_runs Delta table as it grows (median of 3)');
    console.log('| table | commits | files | checkpoint | ours, ms | Python deltalake, ms | time ratio ours / deltalake | sink start (snapshot + run ids), ms |');
    console.log('|---|---:|---:|---|---:|---:|---:|---:|');
    for (const [name, m] of rows) {
      console.log(`| ${name} | ${m.commits} | ${m.files} | ${m.checkpoint ? 'yes' : 'no'} | ${m.ours.toFixed(0)} | ${m.theirs.toFixed(0)} | ${(m.ours / m.theirs).toFixed(2)} | ${m.start.toFixed(0)} |`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
