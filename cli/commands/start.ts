import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createFeatureBuilder, FEATURE_COUNT, FEATURE_SPEC_HASH, FEATURE_SPEC_VERSION } from '../../features/index.js';
import { microsToUsd } from '../../pricing/index.js';
import { readRunRecords } from '../../training/index.js';
import { parse, type Command } from '../command.js';
import { SAMPLE_TABLE, writeSample } from './sample.js';

const command: Command = {
  summary: 'run the main job',
  usage: `usage: lutflow start [--data DIR]

The main job on the embedded default, no external service: generates the sample under DIR
(default data/sample) if it is missing, reads the run records back from the Delta table, replays
them through the feature builder in event time, and prints what it found per tenant.`,
  async run(argv, io) {
    const { values } = parse(argv, { data: { type: 'string' } });
    const dir = values.data ?? 'data/sample';
    if (!existsSync(join(dir, SAMPLE_TABLE, '_delta_log'))) await writeSample(dir, { seed: 42, runs: 3000, force: false }, io);
    const t0 = performance.now();
    const { version, records } = await readRunRecords(join(dir, SAMPLE_TABLE));
    const t1 = performance.now();
    const matrix = createFeatureBuilder().replay(records);
    const t2 = performance.now();
    const tenants = new Map<string, { runs: number; api: number; spend: number }>();
    for (const r of records) {
      const t = tenants.get(r.tenant_id) ?? { runs: 0, api: 0, spend: 0 };
      t.runs++; if (r.plan.kind === 'api') t.api++; t.spend += r.outcome?.cost_usd_micros ?? 0;
      tenants.set(r.tenant_id, t);
    }
    io.out(`pcpo_runs: ${records.length} runs at Delta version ${version} (read in ${(t1 - t0).toFixed(0)} ms)`);
    io.out(`features: spec ${FEATURE_SPEC_VERSION} (${FEATURE_SPEC_HASH.slice(0, 12)}), ${matrix.length / FEATURE_COUNT} vectors replayed point-in-time in ${(t2 - t1).toFixed(0)} ms`);
    for (const [id, t] of [...tenants].sort()) io.out(`  ${id.padEnd(10)} ${String(t.runs).padStart(5)} runs  ${String(t.api).padStart(5)} api  $${microsToUsd(t.spend).toFixed(2).padStart(10)} spent`);
  },
};
export default command;
