import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTRACT_SCHEMAS } from '../../stream/index.js';
import { parse, required, type Command } from '../command.js';

export function schemaFiles(): Record<string, string> {
  return Object.fromEntries(Object.entries(CONTRACT_SCHEMAS).map(([topic, schema]) => [`${topic}.schema.json`, `${JSON.stringify(schema, null, 2)}\n`]));
}

const command: Command = {
  summary: 'write JSON Schemas',
  usage: `usage: lutflow schemas --out DIR

Writes one JSON Schema per stream contract (lut.telemetry, lut.pcpo-features, the dead-letter
envelope). The copies in stream/schemas/ are generated this way; a test fails when they drift.`,
  async run(argv, io) {
    const { values } = parse(argv, { out: { type: 'string' } });
    const out = required(values.out, 'out');
    mkdirSync(out, { recursive: true });
    for (const [name, text] of Object.entries(schemaFiles())) {
      writeFileSync(join(out, name), text);
      io.out(join(out, name));
    }
  },
};
export default command;
