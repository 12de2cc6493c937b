import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { builtinCatalog } from '../../pricing/index.js';
import {
  appendRunRecords,
  DatabricksSource,
  DeltaSource,
  DuckDbSource,
  generateSample,
  pullRuns,
  retrain,
  type TrainingDataSource,
} from '../../training/index.js';
import { startDatabricksSqlServer } from '../../test/training/databricks/server.js';
import { PROTOCOL } from '../../test/training/databricks/tcli.js';

const ROWS = 50_000;

async function timed<T>(f: () => Promise<T>): Promise<{ s: number; v: T }> {
  const t0 = performance.now();
  const v = await f();
  return { s: (performance.now() - t0) / 1000, v };
}

/** Best of three full pulls (a fresh source each time, so connection and engine start are counted). */
async function pullTime(make: () => TrainingDataSource): Promise<{ s: number; rows: number }> {
  let best = Infinity, rows = 0;
  for (let i = 0; i < 3; i++) {
    const source = make();
    const { s, v } = await timed(() => source.pull());
    await source.close();
    best = Math.min(best, s);
    rows = v.records.length;
  }
  return { s: best, rows };
}

/**
 * Training-data sources on one 50,000-run table: a full pull through each engine (the local Delta reader is
 * the baseline), the unpatched Databricks driver through the local warehouse with Arrow and with column-based
 * results, an incremental pull of 1 % new runs against a full pull, and one retrain of the sample end to end.
 */
export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lutflow-bench-sources-'));
  const table = join(dir, 'pcpo_runs');
  const { records } = generateSample({ catalog: builtinCatalog(), seed: 5, runs: ROWS });
  const cut = Math.floor(ROWS * 0.99);
  await appendRunRecords(table, records.slice(0, cut));
  const token = 'dapi-bench-token-0123456789';
  const tables = { 'main.lutflow.pcpo_runs': table };
  const arrow = await startDatabricksSqlServer({ tables, token });
  const columns = await startDatabricksSqlServer({ tables, token, protocolVersion: PROTOCOL.SPARK_V4 });
  const databricks = (s: typeof arrow) => () =>
    new DatabricksSource({ host: s.host, port: s.port, path: s.path, token, table: 'main.lutflow.pcpo_runs', caCert: s.ca });
  try {
    const rows: [string, { s: number; rows: number }][] = [
      ['local Delta reader (baseline)', await pullTime(() => new DeltaSource(table))],
      ['DuckDB + delta extension', await pullTime(() => new DuckDbSource(table))],
      ['Databricks driver, Arrow results', await pullTime(databricks(arrow))],
      ['Databricks driver, column-based results', await pullTime(databricks(columns))],
    ];
    const base = rows[0][1].s;
    console.log(`\n## Training-data sources: full pull of ${cut.toLocaleString('en')} runs (best of 3)\n`);
    console.log('| source | seconds | runs/s | x baseline time |\n| --- | ---: | ---: | ---: |');
    for (const [name, r] of rows)
      console.log(`| ${name} | ${r.s.toFixed(2)} | ${Math.round(r.rows / r.s).toLocaleString('en')} | ${(r.s / base).toFixed(2)} |`);

    const mirror = join(dir, 'mirror');
    const source = databricks(arrow)();
    const first = await timed(() => pullRuns(source, mirror));
    await appendRunRecords(table, records.slice(cut));
    const second = await timed(() => pullRuns(source, mirror));
    await source.close();
    console.log(`\n## Incremental pull through the Databricks driver\n`);
    console.log('| pull | new runs | seconds |\n| --- | ---: | ---: |');
    console.log(`| first (whole table, v0) | ${first.v.pull.new_rows} | ${first.s.toFixed(2)} |`);
    console.log(`| next (runs added since v0, into the local mirror) | ${second.v.pull.new_rows} | ${second.s.toFixed(2)} |`);

    const registry = join(dir, 'registry');
    const sample = join(process.cwd(), 'data/sample/pcpo_runs');
    const r1 = await timed(() => retrain({ registry, data: sample }));
    const r2 = await timed(() => retrain({ registry, data: sample }));
    console.log(`\n## lutflow retrain on the sample (3,000 runs, default training settings)\n`);
    console.log('| run | decision | seconds |\n| --- | --- | ---: |');
    console.log(`| first (no current model) | ${r1.v.decision} | ${r1.s.toFixed(1)} |`);
    console.log(`| second (candidate against current) | ${r2.v.decision} | ${r2.s.toFixed(1)} |`);
  } finally {
    await arrow.close();
    await columns.close();
  }
}
