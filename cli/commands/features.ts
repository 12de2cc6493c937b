import { createFeatureBuilder, featureSpec, FEATURES } from '../../features/index.js';
import { readRunRecords } from '../../training/index.js';
import { parse, type Command } from '../command.js';

const command: Command = {
  summary: 'print the feature spec',
  usage: `usage: lutflow features [--json]
       lutflow features --table TABLE [--limit N]

Without --table: the feature spec (name, unit, source, missing-value rule), its version and hash.
With --table: replays the run records of a Delta table in event time and prints one JSON line per run:
its run_id and its feature vector (null for a missing value), as training sees it.`,
  async run(argv, io) {
    const { values } = parse(argv, { json: { type: 'boolean' }, table: { type: 'string' }, limit: { type: 'string' } });
    if (values.table) {
      const { records } = await readRunRecords(values.table);
      const matrix = createFeatureBuilder().replay(records);
      const limit = values.limit ? Number(values.limit) : records.length;
      for (let i = 0; i < Math.min(limit, records.length); i++) {
        const row = Array.from(matrix.subarray(i * FEATURES.length, (i + 1) * FEATURES.length), (x) => (Number.isNaN(x) ? null : x));
        io.out(JSON.stringify({ run_id: records[i].run_id, features: row }));
      }
      return;
    }
    const spec = featureSpec();
    if (values.json) { io.out(JSON.stringify(spec, null, 2)); return; }
    io.out(`feature spec ${spec.version}  sha256 ${spec.hash}`);
    FEATURES.forEach((f, i) => io.out(`${String(i).padStart(2)}  ${f.name.padEnd(28)} ${f.unit.padEnd(24)} ${f.source.padEnd(8)} missing: ${f.missing}`));
  },
};
export default command;
