import { builtinCatalog } from '../../pricing/index.js';
import { loadRuns, trainPcpo, type SplitMode } from '../../training/index.js';
import { intFlag, parse, required, UsageError, type Command } from '../command.js';

const command: Command = {
  summary: 'train the PCPO model',
  usage: `usage: lutflow train --data TABLE_OR_CSV --out DIR [--split time|group] [--holdout-gpu GPU] [--seed N] [--rounds N]

Trains the PCPO cost model with the real XGBoost library (through its C API; run 'bash scripts/setup.sh'
or set LUTFLOW_XGBOOST_LIB). Reads run records from a Delta table (or a CSV the importers know), replays
them through the feature builder in event time, fits a P50/P90 quantile model per run kind (GPU-seconds
for self-hosted runs, output tokens for API runs) with early stopping, calibrates the P90 on a held-out
slice, and writes DIR/model-card.json plus the official XGBoost JSON models. Prints progress on
stderr (every round on a terminal, every 50 in a log) and the test metrics as JSON on stdout.
DIR is replaced only when training succeeds.
  --split time       oldest runs train, newest test (default)
  --split group      whole configurations (GPU, engine, model, count) held out
  --holdout-gpu GPU  every run on GPU goes to test: an accelerator the model never saw
  --api-model M, --requests-per-run N   for an Azure-trace CSV (default gpt-4o-mini, 50)`,
  async run(argv, io) {
    const { values } = parse(argv, {
      data: { type: 'string' }, out: { type: 'string' }, split: { type: 'string' }, 'holdout-gpu': { type: 'string' }, seed: { type: 'string' }, rounds: { type: 'string' },
      'api-model': { type: 'string' }, 'requests-per-run': { type: 'string' },
    });
    const split = (values.split ?? 'time') as SplitMode;
    if (split !== 'time' && split !== 'group') throw new UsageError(`--split: expected time or group, got '${values.split}'`);
    const catalog = builtinCatalog();
    const holdoutGpu = values['holdout-gpu'] ? catalog.gpus.get(values['holdout-gpu'], '--holdout-gpu').id : undefined;
    const data = await loadRuns(required(values.data, 'data'), { catalog, apiModel: values['api-model'], requestsPerRun: values['requests-per-run'] ? intFlag(values['requests-per-run'], 'requests-per-run') : undefined });
    if (data.imported) io.err(`imported ${data.imported.runs} runs from ${data.source} (${data.imported.rows_rejected} rows rejected)`);
    const t0 = performance.now();
    const result = trainPcpo({
      records: data.records, out: required(values.out, 'out'), catalog, source: data.source, deltaVersion: data.deltaVersion,
      split, holdoutGpu, seed: values.seed ? Number(values.seed) : 0, rounds: values.rounds ? intFlag(values.rounds, 'rounds') : undefined,
      onProgress: (line) => { if (process.stderr.isTTY) process.stderr.write('\r\x1b[K'); io.err(line); },
      // On a terminal, every round on one updating line; in logs, the lines above (every 50 rounds).
      onRound: process.stderr.isTTY ? (t, r) => process.stderr.write(`\r\x1b[K  [${t}] round ${r.round}: train ${r.train.toFixed(5)}, valid ${r.valid?.toFixed(5)}`) : undefined,
    });
    io.err(`trained in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${result.card.model_version}`);
    io.out(JSON.stringify({ model_version: result.card.model_version, out: values.out, test: result.test.by_kind }, null, 2));
  },
};
export default command;
