import { FEATURE_COUNT, FEATURE_INDEX as F } from '../../features/index.js';
import { expectedOutputTokens, promptBucket, type OutputPrior, type PriorEntry } from '../../model/index.js';
import type { RunRecord } from '../../stream/index.js';

/** Runs a prompt-length bucket needs before its own mean counts as much as the model's. */
const BUCKET_SHRINK_RUNS = 5;
/**
 * Candidate weights of the prior, in runs of history: the one that predicts the training runs best is kept. At
 * most 8, so a tenant's own history (up to 20 runs) always ends up outweighing the population.
 */
const HISTORY_WEIGHTS = [0.25, 0.5, 1, 2, 4, 8];

interface Point {
  readonly perRequest: number;
  readonly bucket: number;
}

function entry(points: readonly Point[], parent?: number): PriorEntry {
  const mean = points.reduce((a, p) => a + p.perRequest, 0) / points.length;
  const own =
    parent === undefined
      ? mean
      : (points.length * mean + BUCKET_SHRINK_RUNS * parent) / (points.length + BUCKET_SHRINK_RUNS);
  const byBucket = new Map<number, number[]>();
  for (const p of points) {
    const xs = byBucket.get(p.bucket);
    if (xs) xs.push(p.perRequest);
    else byBucket.set(p.bucket, [p.perRequest]);
  }
  const buckets: Record<string, number> = {};
  for (const [b, xs] of byBucket)
    buckets[b] = (xs.reduce((a, x) => a + x, 0) + BUCKET_SHRINK_RUNS * own) / (xs.length + BUCKET_SHRINK_RUNS);
  return { per_request: own, runs: points.length, buckets };
}

/**
 * The population prior of API output: mean output tokens per request for every model and prompt-length bucket
 * in the training runs (buckets shrunk towards their model, models towards everyone), and how many runs of a
 * tenant's own history weigh as much as it, chosen as the weight that best predicts the training runs that had history.
 */
export function fitOutputPrior(
  records: readonly RunRecord[],
  matrix: Float32Array,
  rows: readonly number[],
  label: Float64Array,
): OutputPrior {
  const point = (i: number): Point => ({
    perRequest: label[i] / records[i].plan.requests,
    bucket: promptBucket(records[i].plan.prompt_tokens),
  });
  const global = entry(rows.map(point));
  const byModel = new Map<string, number[]>();
  for (const i of rows) {
    const idx = byModel.get(records[i].plan.model);
    if (idx) idx.push(i);
    else byModel.set(records[i].plan.model, [i]);
  }
  const models = [...byModel].map(([model, idx]) => {
    const prices = records[idx[idx.length - 1]].context?.prices;
    const v = (f: number) => matrix[idx[idx.length - 1] * FEATURE_COUNT + f];
    return {
      model,
      input_usd_per_mtok: prices?.input_usd_per_mtok ?? v(F.input_usd_per_mtok),
      output_usd_per_mtok: prices?.output_usd_per_mtok ?? v(F.output_usd_per_mtok),
      ...entry(idx.map(point), global.per_request),
    };
  });
  const withHistory = rows.filter((i) => matrix[i * FEATURE_COUNT + F.tenant_runs_observed] > 0);
  let best = { weight: 2, error: Infinity };
  for (const weight of HISTORY_WEIGHTS) {
    const prior: OutputPrior = { history_weight_runs: weight, global, models };
    let error = 0;
    for (const i of withHistory)
      error += Math.abs(Math.log((label[i] + 1) / (expectedOutputTokens(prior, matrix, i, records[i].plan.model) + 1)));
    if (error < best.error) best = { weight, error };
  }
  return { history_weight_runs: best.weight, global, models };
}
