import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelError } from './errors.js';

export const CARD_FILE = 'model-card.json';
export const CARD_FORMAT = 'lutflow-pcpo';
export const CARD_FORMAT_VERSION = 1;

export interface TargetCard {
  /** Official XGBoost JSON, relative to the model directory. */
  readonly file: string;
  readonly run_kind: 'self_hosted' | 'api';
  readonly transform: string;
  readonly quantiles: readonly number[];
  /** Split-conformal correction added to the P90 margin (log scale), from the calibration slice. */
  readonly p90_conformal_offset: number;
  /**
   * Self-hosted: the accelerators (by datasheet figures) the model learned from. A plan on any other part
   * is an extrapolation: its P90 is raised to at least the baseline x exp(`unseen_hardware_p90_log_ratio`),
   * the 90th percentile of the learned log-ratio over all training runs.
   */
  readonly hardware_seen?: readonly { readonly memory_bandwidth_tbps: number; readonly bf16_tflops: number }[];
  readonly unseen_hardware_p90_log_ratio?: number;
  readonly rows: { readonly train: number; readonly valid: number; readonly calibration: number; readonly test: number };
  readonly params: Readonly<Record<string, string | number>>;
  readonly best_round: number;
  readonly rounds_run: number;
  readonly metrics: Record<string, number | null>;
}

/** What a trained model is and where it came from; serving refuses a model whose spec differs from its own. */
export interface ModelCard {
  readonly format: typeof CARD_FORMAT;
  readonly format_version: number;
  readonly model_version: string;
  readonly created_at: string;
  readonly feature_spec: { readonly version: string; readonly hash: string; readonly names: readonly string[] };
  readonly data: { readonly source: string; readonly delta_version: number | null; readonly rows: number; readonly split: string; readonly split_seed: number };
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
