import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import {
  createFeatureBuilder,
  FEATURE_COUNT,
  FEATURE_INDEX as F,
  FEATURE_NAMES,
  FEATURE_SPEC_HASH,
  FEATURE_SPEC_VERSION,
} from '../../features/index.js';
import {
  acceleratorKey,
  calibrationKey,
  CARD_FILE,
  CARD_FORMAT,
  CARD_FORMAT_VERSION,
  loadPcpoModel,
  TARGETS,
  type CvMetrics,
  type ModelCard,
  type PullInfo,
  type TargetCard,
  type TargetDef,
} from '../../model/index.js';
import type { Catalog } from '../../pricing/index.js';
import type { RunRecord } from '../../stream/index.js';
import type { RoundReport } from '../xgboost/booster.js';
import { monotoneConstraints, targetRows, type TargetRows } from './dataset.js';
import { TrainingError } from './errors.js';
import {
  conformalOffset,
  crossValidate,
  finalRounds,
  fitModel,
  groupOffsets,
  oofPredictions,
  type FitContext,
  type OutOfFold,
} from './fit.js';
import { accuracy, conformalQuantile, intervalAccuracy, median, type AccuracyMetrics } from './metrics.js';
import { chooseScheme, configurationKey, makeFolds, type Scheme, type SplitMode } from './split.js';

/** What the trees predict: the median; the P90 is the median times the cross-conformal factor. */
export const QUANTILES = [0.5] as const;
export const MIN_ROWS = 50;
export const DEFAULT_FOLDS = 5;

/**
 * Training defaults; `nthread` stays at the machine's two cores. The objective is pseudo-Huber on the log-ratio
 * (an L1-like median, robust to the study's few impossible timings) rather than `reg:quantileerror`, because the
 * quantile objective refreshes leaves after growing each tree and so breaks the monotone constraints; projected
 * back onto them it lost 3 to 4 points of median APE, and pseudo-Huber keeps them by construction.
 */
export const DEFAULT_PARAMS: Readonly<Record<string, string | number>> = {
  objective: 'reg:pseudohubererror',
  huber_slope: 0.1,
  tree_method: 'hist',
  max_depth: 6,
  eta: 0.05,
  subsample: 0.8,
  colsample_bytree: 0.7,
  min_child_weight: 5,
  nthread: 2,
  seed: 0,
};

/**
 * Per-target adjustments: API runs come in the hundreds, not thousands, and deep trees overfit them
 * (Azure conversation trace, time split: test MAPE 21 % at depth 6, 13 % at depth 3).
 */
export const TARGET_PARAMS: Readonly<Record<TargetDef['name'], Readonly<Record<string, string | number>>>> = {
  gpu_seconds: {},
  output_tokens: { max_depth: 3, min_child_weight: 5, colsample_bytree: 0.9 },
};

export interface TrainOptions {
  readonly records: readonly RunRecord[];
  readonly out: string;
  readonly catalog?: Catalog;
  readonly source: string;
  readonly deltaVersion?: number | null;
  /** How the rows were pulled (recorded in the card). */
  readonly pull?: PullInfo;
  /** How cross-validation splits the runs; `auto` (the default) chooses from the data. */
  readonly split?: SplitMode;
  readonly folds?: number;
  readonly seed?: number;
  /** Runs on this catalog GPU are left out of everything: an accelerator to measure later as never seen. */
  readonly holdoutGpu?: string;
  /** Most boosting rounds a fit may run (early stopping usually ends it sooner). */
  readonly rounds?: number;
  readonly earlyStoppingRounds?: number;
  readonly params?: Readonly<Record<string, string | number>>;
  readonly onProgress?: (line: string) => void;
  /** Every boosting round, for a live progress display. */
  readonly onRound?: (target: TargetDef['name'], r: RoundReport) => void;
  readonly now?: () => Date;
}

/** Cross-validated accuracy of one run kind, next to its baselines on the same out-of-fold rows. */
export interface CvReport extends CvMetrics {
  readonly target: TargetDef['name'];
  readonly scheme: string;
  readonly folds: number;
  readonly baselines: Record<string, AccuracyMetrics & { p90_reserve_ratio?: number | null }>;
  /** Self-hosted: the hardware-blind model, each accelerator predicted by folds that never saw it. */
  readonly unseen_hardware?: CvMetrics | null;
}

export interface TrainResult {
  readonly card: ModelCard;
  readonly cv: { readonly by_kind: Partial<Record<'self_hosted' | 'api', CvReport>> };
}

export const metricsOf = (actual: number[], p50: number[], p90: number[]): CvMetrics => {
  const m = intervalAccuracy(actual, p50, p90);
  return {
    rows: m.rows,
    median_ape: m.median_ape,
    mape: m.mape,
    p90_coverage: m.p90_coverage,
    p90_reserve_ratio: m.p90_reserve_ratio,
  };
};

/** An accelerator by its datasheet figures, as the vectors carry them. */
const vendorEngineKey = (matrix: Float32Array, i: number) =>
  calibrationKey(matrix[i * FEATURE_COUNT + F.gpu_vendor_code], matrix[i * FEATURE_COUNT + F.framework_code]);

export const acceleratorOf = (matrix: Float32Array, i: number) =>
  `${matrix[i * FEATURE_COUNT + F.gpu_memory_bandwidth_tbps]}|${matrix[i * FEATURE_COUNT + F.gpu_bf16_tflops]}`;

function baselineReport(ctx: FitContext, oof: OutOfFold, actual: number[]): CvReport['baselines'] {
  const { matrix, records, t } = ctx;
  if (t.target.name === 'gpu_seconds') {
    return {
      roofline: accuracy(
        actual,
        oof.rows.map((i) => matrix[i * FEATURE_COUNT + F.roofline_gpu_seconds]),
      ),
      calibrated_physics: accuracy(actual, oof.base),
    };
  }
  const bound = oof.rows.map((i) => t.target.cap(matrix, i));
  const history = oof.rows.map(
    (i) => records[i].plan.requests * matrix[i * FEATURE_COUNT + F.tenant_output_tokens_per_request_recent],
  );
  return {
    worst_case_bound: {
      ...accuracy(actual, bound),
      p90_reserve_ratio: median(bound.map((b, k) => b / Math.max(1, actual[k]))),
    },
    tenant_history_mean: accuracy(actual, history),
    prior_and_history: accuracy(actual, oof.base),
  };
}

/** The shared settings of one target's fits: parameters with its monotone constraints, rounds, progress. */
export function fitContext(
  opts: Pick<TrainOptions, 'params' | 'rounds' | 'earlyStoppingRounds' | 'seed' | 'onRound'>,
  records: readonly RunRecord[],
  matrix: Float32Array,
  t: TargetRows,
  scheme: Scheme,
  log: (l: string) => void = () => {},
): FitContext {
  const target = t.target;
  return {
    records,
    matrix,
    t,
    scheme,
    seed: opts.seed ?? 0,
    masked: [],
    params: {
      ...DEFAULT_PARAMS,
      ...TARGET_PARAMS[target.name],
      monotone_constraints: monotoneConstraints(target),
      ...opts.params,
    },
    maxRounds: opts.rounds ?? 1000,
    earlyStoppingRounds: opts.earlyStoppingRounds ?? 50,
    onRound: (r) => {
      opts.onRound?.(target.name, r);
      if (r.round % 100 === 0 && r.round > 0)
        log(`    round ${r.round}: train ${r.metric} ${r.train.toFixed(5)}, valid ${r.valid?.toFixed(5)}`);
    },
  };
}

interface TrainedTarget {
  readonly card: TargetCard;
  readonly report: CvReport;
  readonly files: Record<string, string>;
  readonly libraryVersion: string;
}

/** The hardware-blind model: hardware features masked, each accelerator's P90 offset learned from folds that never saw it. */
function trainBlind(ctx: FitContext, rows: number[], fullOof: OutOfFold, k: number, log: (l: string) => void) {
  const masked = ctx.t.target.hardwareFeatures.map((f) => F[f]);
  const blind: FitContext = { ...ctx, masked, scheme: { mode: 'group', reason: 'accelerators held out' } };
  const accelerators = new Set(rows.map((i) => acceleratorOf(ctx.matrix, i)));
  let offset: number,
    cv: CvMetrics | null = null,
    rounds = finalRounds(fullOof.bestRounds, ctx.maxRounds);
  let byGroup: Record<string, number> = {};
  if (accelerators.size >= 2) {
    const index = new Map(ctx.records.map((r, i) => [r, i] as const));
    const key = (r: RunRecord) => acceleratorOf(ctx.matrix, index.get(r)!);
    log(`  hardware-blind model: ${accelerators.size} accelerators, each held out by a fold`);
    const oof = crossValidate(
      blind,
      makeFolds(ctx.records, rows, blind.scheme, Math.min(k, accelerators.size), ctx.seed, key),
      log,
    );
    offset = conformalOffset(oof);
    // An unseen part's uncertainty is its vendor's and engine's (NVIDIA parts held out err less than others), when
    // at least two of that vendor's accelerators were held out: one alone says nothing about the next.
    const parts = new Map<string, Set<string>>();
    for (const i of oof.rows) {
      const g = vendorEngineKey(ctx.matrix, i);
      parts.set(g, (parts.get(g) ?? new Set()).add(acceleratorOf(ctx.matrix, i)));
    }
    byGroup = Object.fromEntries(
      Object.entries(groupOffsets(oof, (i) => vendorEngineKey(ctx.matrix, i))).filter(([g]) => parts.get(g)!.size >= 2),
    );
    const p = oofPredictions(blind, oof, (i) => byGroup[vendorEngineKey(ctx.matrix, i)] ?? offset);
    cv = metricsOf(p.actual, p.p50, p.p90);
    rounds = finalRounds(oof.bestRounds, rounds);
  } else {
    // One accelerator only: nothing to hold out; the P90 takes the 98th percentile of the ordinary model's scores.
    offset = fullOof.rows.length
      ? conformalQuantile(
          fullOof.z.map((z, i) => z - fullOof.q90[i]),
          0.98,
        )
      : 0;
  }
  const model = fitModel(blind, rows, rounds);
  return { model, offset, byGroup, cv };
}

function trainTarget(
  opts: TrainOptions,
  records: readonly RunRecord[],
  matrix: Float32Array,
  t: TargetRows,
  log: (l: string) => void,
): TrainedTarget | undefined {
  const target = t.target;
  const excluded = { ...t.excluded };
  let rows = t.rows;
  if (opts.holdoutGpu) {
    const kept = rows.filter((i) => records[i].plan.gpu_type !== opts.holdoutGpu);
    if (kept.length < rows.length) excluded[`held out (--holdout-gpu ${opts.holdoutGpu})`] = rows.length - kept.length;
    rows = kept;
  }
  if (rows.length === 0) return undefined;
  if (rows.length < MIN_ROWS)
    throw new TrainingError(
      'TOO_FEW_ROWS',
      `${opts.source}: ${rows.length} usable ${target.kind} runs for ${target.name}; at least ${MIN_ROWS} are needed`,
      target.name,
    );
  const k = opts.folds ?? DEFAULT_FOLDS;
  let scheme: Scheme = chooseScheme(records, rows, opts.split ?? 'auto', k);
  // Whole configurations need at least one per fold; with fewer (one tenant's API runs, say), runs go at random.
  const configurations = new Set(rows.map((i) => configurationKey(records[i]))).size;
  const byRun = scheme.mode === 'group' && configurations < k;
  if (byRun)
    scheme = {
      mode: 'group',
      reason: `${scheme.reason}; only ${configurations} configuration${configurations === 1 ? '' : 's'}, so runs are held out at random`,
    };
  const ctx = fitContext(opts, records, matrix, t, scheme, log);
  const params = ctx.params;
  log(
    `${target.name}: ${rows.length} runs${Object.keys(excluded).length ? ` (left out: ${JSON.stringify(excluded)})` : ''}; cross-validation split: ${scheme.reason}, ${k} folds`,
  );
  const folds = makeFolds(records, rows, scheme, k, ctx.seed, byRun ? (r) => r.run_id : configurationKey);
  const oof = crossValidate(ctx, folds, log);
  if (oof.rows.length === 0)
    throw new TrainingError(
      'TOO_FEW_ROWS',
      `${opts.source}: the ${scheme.mode} split leaves no ${target.kind} runs to validate on; add data or change --split`,
      target.name,
    );
  const offset = conformalOffset(oof);
  // Self-hosted P90s are conditional on the accelerator x engine (Mondrian); API P90s share one offset.
  const byGroup = target.kind === 'self_hosted' ? groupOffsets(oof, (i) => acceleratorKey(matrix, i)) : {};
  const predicted = oofPredictions(ctx, oof, (i) => byGroup[acceleratorKey(matrix, i)] ?? offset);
  const metrics = metricsOf(predicted.actual, predicted.p50, predicted.p90);
  log(
    `  cross-validated: median APE ${metrics.median_ape} %, MAPE ${metrics.mape} %, P90 coverage ${metrics.p90_coverage} %, P90 / actual ${metrics.p90_reserve_ratio}`,
  );

  const rounds = finalRounds(oof.bestRounds, ctx.maxRounds);
  log(`  final model: every one of the ${rows.length} runs, ${rounds} rounds (median of the folds' best)`);
  const final = fitModel(ctx, rows, rounds);
  const files: Record<string, string> = { [`${target.name}.json`]: final.modelJson };
  let selfHosted: Partial<TargetCard> = {};
  let unseen: CvMetrics | null | undefined;
  if (target.kind === 'self_hosted') {
    const blind = trainBlind(ctx, rows, oof, k, log);
    const file = `${target.name}.unseen-hardware.json`;
    files[file] = blind.model.modelJson;
    unseen = blind.cv;
    if (blind.cv)
      log(
        `  accelerators never seen: median APE ${blind.cv.median_ape} %, MAPE ${blind.cv.mape} %, P90 coverage ${blind.cv.p90_coverage} %`,
      );
    const seen = new Map<string, { memory_bandwidth_tbps: number; bf16_tflops: number }>();
    for (const i of rows)
      seen.set(acceleratorOf(matrix, i), {
        memory_bandwidth_tbps: matrix[i * FEATURE_COUNT + F.gpu_memory_bandwidth_tbps],
        bf16_tflops: matrix[i * FEATURE_COUNT + F.gpu_bf16_tflops],
      });
    selfHosted = {
      hardware_seen: [...seen.values()],
      frameworks_seen: [...new Set(rows.map((i) => matrix[i * FEATURE_COUNT + F.framework_code]))]
        .filter((c) => !Number.isNaN(c))
        .sort((a, b) => a - b),
      unseen_hardware: {
        file,
        p90_conformal_offset: blind.offset,
        ...(Object.keys(blind.byGroup).length ? { p90_group_offsets: blind.byGroup } : {}),
        cv: blind.cv,
      },
    };
  }
  const card: TargetCard = {
    file: `${target.name}.json`,
    run_kind: target.kind,
    transform: `ln((y + ${target.offset}) / (baseline + ${target.offset})), baseline = ${target.baselineDescription}`,
    quantiles: [...QUANTILES],
    p90_conformal_offset: offset,
    ...(Object.keys(byGroup).length ? { p90_group_offsets: byGroup } : {}),
    baseline: final.baseline,
    ...selfHosted,
    cv: { scheme: scheme.reason, folds: folds.length, metrics },
    rows: { train: rows.length, excluded },
    params,
    rounds,
    fold_best_rounds: oof.bestRounds,
  };
  const report: CvReport = {
    target: target.name,
    scheme: scheme.reason,
    folds: folds.length,
    ...metrics,
    baselines: baselineReport(ctx, oof, predicted.actual),
    ...(unseen !== undefined ? { unseen_hardware: unseen } : {}),
  };
  return { card, report, files, libraryVersion: final.libraryVersion };
}

function launchWindow(records: readonly RunRecord[]): { first: string; last: string } {
  let first = records[0].launched_at, last = first;
  for (const r of records) {
    if (Date.parse(r.launched_at) < Date.parse(first)) first = r.launched_at;
    if (Date.parse(r.launched_at) > Date.parse(last)) last = r.launched_at;
  }
  return { first, last };
}

/**
 * Trains the PCPO model: replays the records through the shared builder in event time; per run kind, measures
 * accuracy by K-fold cross-validation (folds walk forward in time, or hold out whole configurations when the
 * runs carry no usable time), takes the P90 offset from the out-of-fold scores (cross-conformal), and fits the
 * model a user deploys on every run. The directory is written whole or not at all.
 */
export function trainPcpo(opts: TrainOptions): TrainResult {
  const log = opts.onProgress ?? (() => {});
  if (opts.records.length === 0) throw new TrainingError('NO_DATA', `${opts.source}: no run records`);
  log(`replaying ${opts.records.length} runs through the feature builder…`);
  const matrix = createFeatureBuilder({ catalog: opts.catalog }).replay(opts.records);

  const staging = `${opts.out}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const targets: Partial<Record<TargetDef['name'], TargetCard>> = {};
  const byKind: TrainResult['cv']['by_kind'] = {};
  let libraryVersion = '';
  try {
    for (const target of Object.values(TARGETS)) {
      const trained = trainTarget(opts, opts.records, matrix, targetRows(opts.records, matrix, target), log);
      if (!trained) continue;
      for (const [file, json] of Object.entries(trained.files)) writeFileSync(join(staging, file), json);
      targets[target.name] = trained.card;
      byKind[target.kind] = trained.report;
      libraryVersion = trained.libraryVersion;
    }
    if (Object.keys(targets).length === 0)
      throw new TrainingError('TOO_FEW_ROWS', `${opts.source}: no finished, succeeded runs to learn from`);

    const created = (opts.now ?? (() => new Date()))().toISOString();
    const hash = createHash('sha256').update(JSON.stringify(targets)).update(created).digest('hex').slice(0, 12);
    const card: ModelCard = {
      format: CARD_FORMAT,
      format_version: CARD_FORMAT_VERSION,
      model_version: `pcpo-${created.slice(0, 10)}-${hash}`,
      created_at: created,
      feature_spec: { version: FEATURE_SPEC_VERSION, hash: FEATURE_SPEC_HASH, names: FEATURE_NAMES },
      data: {
        source: opts.source,
        delta_version: opts.deltaVersion ?? null,
        rows: opts.records.length,
        split_seed: opts.seed ?? 0,
        ...(opts.pull ? { pull: opts.pull } : {}),
        launched: launchWindow(opts.records),
      },
      library: { name: 'xgboost', version: libraryVersion },
      targets,
    };
    writeFileSync(join(staging, CARD_FILE), JSON.stringify(card, null, 2) + '\n');
    loadPcpoModel(staging);
    rmSync(opts.out, { recursive: true, force: true });
    renameSync(staging, opts.out);
    return { card, cv: { by_kind: byKind } };
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}
