import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OutputPrior, PhysicsCalibration } from './baselines.js';
import { ModelError } from './errors.js';

export const CARD_FILE = 'model-card.json';
export const CARD_FORMAT = 'lutflow-pcpo';
export const CARD_FORMAT_VERSION = 2;

/** Accuracy measured by cross-validation: every run predicted by a model that never saw it. */
export interface CvMetrics {
  readonly rows: number;
  readonly median_ape: number | null;
  readonly mape: number | null;
  readonly p90_coverage: number | null;
  readonly p90_reserve_ratio: number | null;
}

export interface TargetCard {
  /** Official XGBoost JSON, relative to the model directory. */
  readonly file: string;
  readonly run_kind: 'self_hosted' | 'api';
  readonly transform: string;
  readonly quantiles: readonly number[];
  /** Cross-conformal correction added to the P90 margin (the median's, for a one-output model; log scale). */
  readonly p90_conformal_offset: number;
  /** The same per accelerator x engine (`bandwidth|tflops|framework`, see acceleratorKey), where it had enough runs. */
  readonly p90_group_offsets?: Readonly<Record<string, number>>;
  /** Fitted baseline parameters: engine efficiency (GPU-seconds) or the output prior (API). */
  readonly baseline: { readonly physics?: PhysicsCalibration; readonly prior?: OutputPrior };
  /**
   * Self-hosted: the accelerators (by datasheet figures) and engines the model learned from. A plan on any
   * other accelerator is predicted by `unseen_hardware`: a model that never saw hardware identities, learned
   * on every run with them masked, its P90 offset from leave-one-accelerator-out cross-validation.
   */
  readonly hardware_seen?: readonly { readonly memory_bandwidth_tbps: number; readonly bf16_tflops: number }[];
  readonly frameworks_seen?: readonly number[];
  readonly unseen_hardware?: {
    readonly file: string;
    readonly p90_conformal_offset: number;
    /** Per vendor x engine (`calibrationKey`), from the accelerators of that vendor held out. */
    readonly p90_group_offsets?: Readonly<Record<string, number>>;
    readonly cv: CvMetrics | null;
  };
  /** How the runs were split for cross-validation (chosen from the data unless asked) and what it measured. */
  readonly cv: { readonly scheme: string; readonly folds: number; readonly metrics: CvMetrics };
  readonly rows: { readonly train: number; readonly excluded: Readonly<Record<string, number>> };
  readonly params: Readonly<Record<string, string | number>>;
  readonly rounds: number;
  readonly fold_best_rounds: readonly number[];
}

export interface PullInfo {
  readonly mode: 'full' | 'incremental';
  /** Incremental: the table version of the previous pull, whose runs were already held locally. */
  readonly since_version: number | null;
  readonly new_rows: number;
  /** Why a pull that could have been incremental was full (first pull, table rewritten, ...). */
  readonly reason?: string;
}

/** What a trained model is and where it came from; serving refuses a model whose spec differs from its own. */
export interface ModelCard {
  readonly format: typeof CARD_FORMAT;
  readonly format_version: number;
  readonly model_version: string;
  readonly created_at: string;
  readonly feature_spec: { readonly version: string; readonly hash: string; readonly names: readonly string[] };
  readonly data: {
    readonly source: string;
    readonly delta_version: number | null;
    readonly rows: number;
    readonly split_seed: number;
    /** How the rows were pulled: the whole table, or the runs added since a version on top of earlier pulls. */
    readonly pull?: PullInfo;
    /** Launch times of the first and last run learned from (a later slice is data this model never saw). */
    readonly launched?: { readonly first: string; readonly last: string };
  };
  readonly library: { readonly name: 'xgboost'; readonly version: string };
  readonly targets: Readonly<Partial<Record<'gpu_seconds' | 'output_tokens', TargetCard>>>;
}

export function readCard(dir: string): ModelCard {
  const path = join(dir, CARD_FILE);
  let card: ModelCard;
  try {
    card = JSON.parse(readFileSync(path, 'utf8')) as ModelCard;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'MODEL_NOT_FOUND' : 'MODEL_MALFORMED';
    throw new ModelError(code, `${path}: ${(err as Error).message}`, path);
  }
  if (card.format !== CARD_FORMAT) throw new ModelError('MODEL_MALFORMED', `${path}: format is '${String(card.format)}', expected '${CARD_FORMAT}'`, 'format');
  if (card.format_version !== CARD_FORMAT_VERSION) throw new ModelError('MODEL_UNSUPPORTED', `${path}: format_version ${card.format_version} is not supported (expected ${CARD_FORMAT_VERSION})`, 'format_version');
  if (!card.feature_spec?.hash) throw new ModelError('MODEL_MALFORMED', `${path}: feature_spec.hash is missing`, 'feature_spec.hash');
  if (!card.targets || Object.keys(card.targets).length === 0) throw new ModelError('MODEL_MALFORMED', `${path}: no targets`, 'targets');
  return card;
}
