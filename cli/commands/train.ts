import { builtinCatalog } from '../../pricing/index.js';
import { DEFAULT_FOLDS, loadAllRuns, trainPcpo, type SplitMode } from '../../training/index.js';
import { dataPaths, intFlag, parse, required, UsageError, type Command } from '../command.js';

const command: Command = {
  summary: 'train the PCPO model',
  usage: `usage: lutflow train --data TABLE_OR_CSV [--data ...] --out DIR [--split auto|time|group] [--folds N] [--holdout-gpu GPU] [--seed N] [--rounds N]

Trains the PCPO cost model with the real XGBoost library (through its C API; run 'bash scripts/setup.sh'
or set LUTFLOW_XGBOOST_LIB). Reads run records from the runs table (or a CSV the importers know), replays
them through the feature builder in event time, and per run kind (GPU-seconds for self-hosted runs, output
tokens for API runs):
  1. measures accuracy by K-fold cross-validation, each run predicted by a model that never saw it;
  2. takes the P90 correction from those out-of-fold scores (cross-conformal);
  3. fits the model it writes on every run (none is held back), for the median of the folds' best rounds.
Self-hosted models also get a hardware-blind model, for accelerators they never saw, its P90 correction from
folds that each hold out whole accelerators. Writes DIR/model-card.json and the official XGBoost JSON models.
Prints progress on stderr and the cross-validated metrics as JSON on stdout. DIR is replaced only on success.
  --split auto       (default) by time when the runs carry usable launch times, else whole configurations
  --split time       folds walk forward in launch order: each learns from the past, is tested on what follows
  --split group      whole configurations (GPU, engine, model, count; tenant and model for API runs) per fold
  --folds N          cross-validation folds (default ${DEFAULT_FOLDS})
  --holdout-gpu GPU  leave every run on GPU out of training: an accelerator to measure later as never seen
  --data TABLE       a local Delta folder (default reader), or
                       databricks:CATALOG.SCHEMA.TABLE  through Databricks SQL: DATABRICKS_HOST, DATABRICKS_HTTP_PATH,
                                                        DATABRICKS_TOKEN (LUTFLOW_DATABRICKS_CA_CERT: a private CA)
                       duckdb:PATH                      a Delta table read by DuckDB (its delta extension)
                     the model card records the source and the table version trained on
  --data, repeated   learn from several tables at once, e.g. LLM-Inference-Bench's All_results.csv with its
                     time-to-first-token (Fig_21) and quantisation (Fig_3) side tables
  --api-model M, --requests-per-run N   for an Azure-trace CSV (default gpt-4o-mini, 50)`,
  async run(argv, io) {
    const { values } = parse(argv, {
      data: { type: 'string', multiple: true },
      out: { type: 'string' },
      split: { type: 'string' },
      folds: { type: 'string' },
      'holdout-gpu': { type: 'string' },
      seed: { type: 'string' },
      rounds: { type: 'string' },
      'api-model': { type: 'string' },
      'requests-per-run': { type: 'string' },
    });
    const split = (values.split ?? 'auto') as SplitMode;
    if (!['auto', 'time', 'group'].includes(split))
      throw new UsageError(`--split: expected auto, time or group, got '${values.split}'`);
    const folds = intFlag(values.folds, 'folds', DEFAULT_FOLDS);
    if (folds < 2) throw new UsageError(`--folds: expected at least 2, got ${folds}`);
    const seed = values.seed === undefined ? 0 : Number(values.seed);
    if (!Number.isInteger(seed) || seed < 0)
      throw new UsageError(`--seed: expected a non-negative integer, got '${values.seed}'`);
    const catalog = builtinCatalog();
    const holdoutGpu = values['holdout-gpu'] ? catalog.gpus.get(values['holdout-gpu'], '--holdout-gpu').id : undefined;
    const out = required(values.out, 'out');
    const data = await loadAllRuns(dataPaths(values.data), {
      catalog,
      apiModel: values['api-model'],
      requestsPerRun: values['requests-per-run'] ? intFlag(values['requests-per-run'], 'requests-per-run') : undefined,
      onLog: io.err,
    });
    for (const part of data.parts)
      if (part.imported)
        io.err(
          `imported ${part.imported.runs} runs from ${part.source} (${part.imported.rows_rejected} rows rejected)`,
        );
    const t0 = performance.now();
    const result = trainPcpo({
      records: data.records,
      out,
      catalog,
      source: data.source,
      deltaVersion: data.deltaVersion,
      split,
      folds,
      holdoutGpu,
      seed,
      rounds: values.rounds ? intFlag(values.rounds, 'rounds') : undefined,
      onProgress: (line) => {
        if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
        io.err(line);
      },
      // On a terminal, every round on one updating line; in logs, the lines above (every 100 rounds).
      onRound: process.stderr.isTTY
        ? (t, r) =>
            process.stderr.write(
              `\r\x1b[K  [${t}] round ${r.round}: train ${r.train.toFixed(5)}, valid ${r.valid?.toFixed(5)}`,
            )
        : undefined,
    });
    io.err(`trained in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${result.card.model_version}`);
    io.out(
      JSON.stringify({ model_version: result.card.model_version, out, cross_validation: result.cv.by_kind }, null, 2),
    );
  },
};
export default command;
