import { DEFAULT_FOLDS, DEFAULT_HOLDOUT, DEFAULT_KEEP, DEFAULT_TOLERANCES, retrain, type RetrainReport, type Tolerances } from '../../training/index.js';
import { intFlag, parse, required, UsageError, type Command } from '../command.js';

function fraction(v: string | undefined, flag: string, fallback: number, max = 1): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n >= max) throw new UsageError(`--${flag}: expected a number between 0 and ${max} (exclusive), got '${v}'`);
  return n;
}

function nonNegative(v: string | undefined, flag: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${flag}: expected a number of 0 or more, got '${v}'`);
  return n;
}

const t = DEFAULT_TOLERANCES;

const command: Command = {
  summary: 'one scheduled retrain: pull new runs, train a candidate, promote it only if not worse',
  usage: `usage: lutflow retrain --registry DIR --data TABLE [--holdout F] [--rounds N] [--folds N] [--seed N] [--keep N]
                       [--tol-median-ape P] [--tol-mape P] [--tol-coverage P] [--min-rows N]

One retraining run, for cron or a Kubernetes CronJob (in a server: lutflow serve --retrain CRON):
  1. pulls the runs table: a local Delta folder whole; databricks:CATALOG.SCHEMA.TABLE or duckdb:PATH into a
     local mirror (DIR/data), fetching only the runs added since the last pull (recorded in the model card);
  2. holds out the newest runs by launch time (--holdout, default ${DEFAULT_HOLDOUT}) and trains a candidate on the rest;
  3. scores the candidate and the current model on that same held-out slice;
  4. promotes the candidate only if it is not worse on any run kind with ${t.min_rows}+ held-out runs (--min-rows):
       median APE  <= current + max(${t.median_ape_points} point, ${t.median_ape_relative * 100} % of current)   (--tol-median-ape POINTS)
       MAPE        <= current + max(${t.mape_points} points, ${t.mape_relative * 100} % of current)  (--tol-mape POINTS)
       P90 coverage no more than ${t.p90_coverage_points} points further below 90 % than the current's (--tol-coverage POINTS)
     otherwise the current model keeps serving and the report says why. The first candidate is promoted.
Promotion swaps DIR/current (a link to DIR/versions/VERSION) atomically; 'lutflow serve --model DIR' reloads
it without a restart. Every run writes DIR/reports/*.json, one JSON log line (stderr), and Prometheus metrics
in DIR/retrain.prom (node_exporter textfile collector). Prints the report on stdout.
Exit status: 0 promoted or kept, 1 failed (the current model is untouched), 2 bad usage.
Databricks: DATABRICKS_HOST, DATABRICKS_HTTP_PATH, DATABRICKS_TOKEN (LUTFLOW_DATABRICKS_CA_CERT: a private CA).
  --keep N   versions kept besides the serving one and its rollback path (default ${DEFAULT_KEEP})`,
  async run(argv, io) {
    const { values } = parse(argv, {
      registry: { type: 'string' },
      data: { type: 'string' },
      holdout: { type: 'string' },
      rounds: { type: 'string' },
      folds: { type: 'string' },
      seed: { type: 'string' },
      keep: { type: 'string' },
      'tol-median-ape': { type: 'string' },
      'tol-mape': { type: 'string' },
      'tol-coverage': { type: 'string' },
      'min-rows': { type: 'string' },
    });
    const tolerances: Partial<Tolerances> = {
      median_ape_points: nonNegative(values['tol-median-ape'], 'tol-median-ape', t.median_ape_points),
      mape_points: nonNegative(values['tol-mape'], 'tol-mape', t.mape_points),
      p90_coverage_points: nonNegative(values['tol-coverage'], 'tol-coverage', t.p90_coverage_points),
      min_rows: intFlag(values['min-rows'], 'min-rows', t.min_rows),
    };
    const folds = intFlag(values.folds, 'folds', DEFAULT_FOLDS);
    if (folds < 2) throw new UsageError(`--folds: expected at least 2, got ${folds}`);
    const seed = values.seed === undefined ? 0 : Number(values.seed);
    if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed: expected a non-negative integer, got '${values.seed}'`);
    let report: RetrainReport;
    try {
      report = await retrain({
        registry: required(values.registry, 'registry'),
        data: required(values.data, 'data'),
        holdout: fraction(values.holdout, 'holdout', DEFAULT_HOLDOUT, 0.9),
        tolerances,
        keep: values.keep === undefined ? DEFAULT_KEEP : nonNegative(values.keep, 'keep', DEFAULT_KEEP),
        train: { folds, seed, rounds: values.rounds ? intFlag(values.rounds, 'rounds') : undefined },
        log: io.err,
      });
    } catch (err) {
      const failed = (err as { report?: RetrainReport }).report;
      if (failed) io.out(JSON.stringify(failed, null, 2));
      throw err;
    }
    io.out(JSON.stringify(report, null, 2));
  },
};
export default command;
