import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinCatalog } from '../../pricing/index.js';
import { appendRunRecords, generateSample } from '../../training/index.js';
import { intFlag, parse, required, type Command, type Io } from '../command.js';

export const SAMPLE_TABLE = 'pcpo_runs';
export const SAMPLE_TELEMETRY = 'telemetry.jsonl';

/** Writes the sample under `out`: the run records as a Delta table, the telemetry as JSON lines. */
export async function writeSample(out: string, opts: { seed: number; runs: number; force: boolean }, io: Io): Promise<void> {
  const table = join(out, SAMPLE_TABLE);
  if (existsSync(table)) {
    if (!opts.force) throw new Error(`${table} already exists; pass --force to replace it`);
    rmSync(table, { recursive: true });
  }
  mkdirSync(out, { recursive: true });
  io.err(`generating ${opts.runs} runs (seed ${opts.seed})…`);
  const sample = generateSample({ catalog: builtinCatalog(), seed: opts.seed, runs: opts.runs });
  const res = await appendRunRecords(table, sample.records, { operation: 'SAMPLE' });
  writeFileSync(join(out, SAMPLE_TELEMETRY), sample.telemetry.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const apiRuns = sample.records.filter((r) => r.plan.kind === 'api').length;
  io.out(JSON.stringify({ table, version: res.version, runs: sample.records.length, api_runs: apiRuns, self_hosted_runs: sample.records.length - apiRuns, tenants: new Set(sample.records.map((r) => r.tenant_id)).size, telemetry: join(out, SAMPLE_TELEMETRY), telemetry_events: sample.telemetry.length }));
}

const command: Command = {
  summary: 'generate deterministic sample data',
  usage: `usage: lutflow sample --out DIR [--seed N] [--runs N] [--force]

Writes DIR/${SAMPLE_TABLE} (a Delta table of lut.pcpo-features run records with outcomes) and
DIR/${SAMPLE_TELEMETRY} (lut.telemetry events). The same seed always gives the same records.
  --out DIR     where to write (required)
  --seed N      random seed (default 42)
  --runs N      number of runs (default 3000)
  --force       replace an existing sample table`,
  async run(argv, io) {
    const { values } = parse(argv, { out: { type: 'string' }, seed: { type: 'string' }, runs: { type: 'string' }, force: { type: 'boolean' } });
    await writeSample(required(values.out, 'out'), { seed: intFlag(values.seed, 'seed', 42), runs: intFlag(values.runs, 'runs', 3000), force: !!values.force }, io);
  },
};
export default command;
