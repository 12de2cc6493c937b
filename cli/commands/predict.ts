import { readFileSync, statSync } from 'node:fs';
import { createFeatureBuilder, FEATURE_COUNT } from '../../features/index.js';
import { loadEnsemble, loadPcpoModel, predictRun, type PcpoModel, type TreeEnsemble } from '../../model/index.js';
import { builtinCatalog } from '../../pricing/index.js';
import { validate } from '../../stream/index.js';
import { parse, required, type Command } from '../command.js';

const command: Command = {
  summary: 'predict from run records or raw vectors',
  usage: `usage: lutflow predict --model DIR_OR_JSON --input FILE

Reads FILE ('-' for stdin) one JSON value per line and prints one JSON prediction per line:
  - a lut.pcpo-features run record: P50 and P90 of its quantity and cost, or why it is infeasible
    (records are replayed in order, so later lines see earlier outcomes as tenant history);
  - a raw feature vector, a JSON array of ${FEATURE_COUNT} numbers with null for a missing value.
With a model directory, vectors get the PCPO P50/P90; with a single XGBoost JSON file (one trained
anywhere, e.g. in Python), they get that model's raw outputs, so models and vectors can be checked
against other implementations. A bad line prints {"line": N, "error": ...} and the rest go on.`,
  async run(argv, io) {
    const { values } = parse(argv, { model: { type: 'string' }, input: { type: 'string' } });
    const path = required(values.model, 'model');
    const pcpo: PcpoModel | undefined = statSync(path).isDirectory() ? loadPcpoModel(path) : undefined;
    const raw: TreeEnsemble | undefined = pcpo ? undefined : loadEnsemble(path);
    const catalog = builtinCatalog();
    const builder = createFeatureBuilder({ catalog });
    const input = required(values.input, 'input');
    const lines = readFileSync(input === '-' ? 0 : input, 'utf8').split('\n');
    let failed = 0;
    lines.forEach((line, k) => {
      if (!line.trim()) return;
      try {
        const value = JSON.parse(line) as unknown;
        if (Array.isArray(value)) {
          const width = pcpo ? FEATURE_COUNT : raw!.numFeature;
          if (value.length !== width || value.some((x) => x !== null && typeof x !== 'number')) throw new Error(`expected an array of ${width} numbers or nulls`);
          const vec = Float32Array.from(value, (x) => (x === null ? NaN : x));
          io.out(JSON.stringify(pcpo ? pcpo.predictCost(vec) ?? { error: 'no target for this run kind' } : Array.from(raw!.predict(vec))));
          return;
        }
        if (!pcpo) throw new Error('run records need a model directory, not a single XGBoost file');
        const v = validate('lut.pcpo-features', value);
        if (!v.ok) throw new Error(v.errors.map((e) => `${e.path || '(record)'} ${e.message}`).join('; '));
        io.out(JSON.stringify(predictRun(pcpo, v.value, builder, catalog)));
        builder.observe(v.value);
      } catch (err) {
        failed++;
        io.out(JSON.stringify({ line: k + 1, error: (err as Error).message }));
      }
    });
    if (failed) io.err(`${failed} line(s) could not be predicted`);
  },
};
export default command;
