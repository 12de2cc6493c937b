import { createHash } from 'node:crypto';

export type FeatureSource = 'plan' | 'catalog' | 'prices' | 'physics' | 'history' | 'time';

export interface FeatureDef {
  readonly name: string;
  readonly unit: string;
  readonly source: FeatureSource;
  /** What the builder writes when the value cannot be known; NaN is XGBoost's missing value. */
  readonly missing: string;
  readonly description: string;
}

export const FEATURE_SPEC_VERSION = '2.0.0';

const NAN_API = 'NaN for api runs';
const PHYSICS = 'NaN for api runs and when the model or GPU is unknown';
const f = (name: string, unit: string, source: FeatureSource, missing: string, description: string): FeatureDef => ({ name, unit, source, missing, description });

/** The features, in vector order. Changing anything here changes the hash; bump the version with it. */
export const FEATURES: readonly FeatureDef[] = [
  f('provider_kind', 'enum', 'plan', 'never missing', '0 = api (token-priced), 1 = self_hosted (GPU-time priced)'),
  f('model_total_params_b', 'billion parameters', 'catalog', 'NaN when the catalog does not know the model (closed api models)', 'all weights, what memory holds'),
  f('model_active_params_b', 'billion parameters', 'catalog', 'NaN when unknown', 'weights used per token (mixture-of-experts use a fraction)'),
  f('precision_bits', 'bits', 'plan', "the model's default precision; NaN when the model is unknown", 'bits per weight'),
  f('framework_code', 'enum', 'plan', '0 for api runs; NaN for a self_hosted run without a framework', 'serving engine: see FRAMEWORK_CODES'),
  f('batch_size', 'requests', 'plan', 'never missing', 'requests served concurrently'),
  f('requests', 'requests', 'plan', 'never missing', 'requests in the run'),
  f('prompt_tokens', 'tokens per request', 'plan', 'never missing', 'mean prompt length'),
  f('max_output_tokens', 'tokens per request', 'plan', 'never missing', 'output limit per request'),
  f('gpu_count', 'GPUs', 'plan', NAN_API, 'accelerators serving the run'),
  f('gpu_memory_gb', 'GB', 'catalog', NAN_API, 'memory per accelerator'),
  f('gpu_memory_bandwidth_tbps', 'TB/s', 'catalog', NAN_API, 'memory bandwidth per accelerator'),
  f('gpu_bf16_tflops', 'TFLOP/s', 'catalog', NAN_API, 'dense BF16 peak per accelerator'),
  f('gpu_usd_per_hour', 'USD per GPU-hour', 'prices', NAN_API, 'price at launch (spot when the plan is spot)'),
  f('input_usd_per_mtok', 'USD per million tokens', 'prices', 'NaN for self_hosted runs', 'prompt price at launch'),
  f('output_usd_per_mtok', 'USD per million tokens', 'prices', 'NaN for self_hosted runs', 'output price at launch'),
  f('roofline_gpu_seconds', 'GPU-seconds', 'physics', PHYSICS, 'ideal GPU time at peak: prefill and decode each bound by compute or memory, plus tensor-parallel traffic (features/physics.ts)'),
  f('worst_case_cost_usd', 'USD', 'physics', 'NaN for self_hosted runs', 'requests x (prompt x input price + max output x output price): what a worst-case reservation holds'),
  f('tenant_output_ratio_recent', 'ratio', 'history', 'NaN when the tenant has no finished run before launch', 'mean of output tokens / (requests x max output tokens) over the tenant\'s last 20 finished API runs'),
  f('tenant_spend_usd_last_day', 'USD', 'history', '0 when the tenant spent nothing in the 24 h before launch', 'spend of runs that finished in the 24 h before launch'),
  f('hour_of_day_utc', 'hour', 'time', 'never missing', 'launch hour, 0-23 UTC'),
  f('gpu_vendor_code', 'enum', 'catalog', NAN_API, 'whose software stack runs the accelerator: see VENDOR_CODES'),
  f('gpu_interconnect_gbps', 'GB/s', 'catalog', NAN_API, 'device-to-device bandwidth per direction (NVLink, Infinity Fabric, RoCE, PCIe)'),
  f('model_layers', 'layers', 'catalog', 'NaN when the model is unknown and not described', 'transformer blocks'),
  f('model_kv_kib_per_token', 'KiB', 'catalog', 'NaN when the model is unknown and not described', 'KV cache per token of context at 16 bits'),
  f('prefill_compute_gpu_seconds', 'GPU-seconds', 'physics', PHYSICS, 'prefill arithmetic at peak: 2 x active params per prompt token plus causal attention'),
  f('prefill_memory_gpu_seconds', 'GPU-seconds', 'physics', PHYSICS, "prefill's weight reads at peak bandwidth, once per batch wave"),
  f('decode_memory_gpu_seconds', 'GPU-seconds', 'physics', PHYSICS, 'decode memory traffic at peak: weights (experts touched) every step plus each KV cache'),
  f('decode_compute_gpu_seconds', 'GPU-seconds', 'physics', PHYSICS, 'decode arithmetic at peak: 2 x active params per token plus attention'),
  f('interconnect_gpu_seconds', 'GPU-seconds', 'physics', PHYSICS, 'tensor-parallel all-reduces: two per layer per step, latency plus bytes'),
  f('layer_steps_k', 'thousand device x layer x step', 'physics', PHYSICS, 'what per-kernel launch overheads scale with'),
  f('kv_cache_pressure', 'ratio', 'physics', PHYSICS, 'KV bytes of the sequences served at once / memory left beside the weights'),
  f('weights_memory_share', 'ratio', 'physics', PHYSICS, 'weight bytes per device / device memory'),
  f('tenant_output_tokens_per_request_recent', 'tokens', 'history', 'NaN when the tenant has no finished run before launch', "mean output tokens per request over the tenant's last 20 finished API runs"),
  f('tenant_runs_observed', 'runs', 'history', '0 for a tenant with no finished run before launch', 'finished API runs in the history, up to 20'),
];

export const FEATURE_COUNT = FEATURES.length;

/** Feature names in vector order: what XGBoost models carry as `feature_names`. */
export const FEATURE_NAMES: readonly string[] = FEATURES.map((d) => d.name);

/** Index of each feature by name, for readable code: `vec[FEATURE_INDEX.batch_size]`. */
export const FEATURE_INDEX: Readonly<Record<string, number>> = Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, i]));

/** sha256 of the canonical spec: the model card records it and serving refuses a model built for another. */
export const FEATURE_SPEC_HASH = createHash('sha256').update(JSON.stringify({ version: FEATURE_SPEC_VERSION, features: FEATURES })).digest('hex');

export interface FeatureSpecDocument {
  readonly version: string;
  readonly hash: string;
  readonly count: number;
  readonly features: readonly FeatureDef[];
}

export function featureSpec(): FeatureSpecDocument {
  return { version: FEATURE_SPEC_VERSION, hash: FEATURE_SPEC_HASH, count: FEATURE_COUNT, features: FEATURES };
}
