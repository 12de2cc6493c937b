import { FEATURE_COUNT, FEATURE_INDEX as F } from '../features/index.js';
import type { RunRecord } from '../stream/index.js';
import {
  calibratedGpuSeconds,
  expectedOutputTokens,
  paramsFor,
  physicsRow,
  type OutputPrior,
  type PhysicsCalibration,
} from './baselines.js';

/** What training fits for a target's baseline and the card carries: the engines' efficiency, or the output prior. */
export interface BaselineParams {
  readonly physics?: PhysicsCalibration;
  readonly prior?: OutputPrior;
}

/**
 * What the PCPO model predicts: a physical quantity per run kind, priced at prediction time so a price
 * change needs no retrain. Each is learned as ln((y + c) / (baseline + c)) where the baseline comes from
 * the feature vector and the card's fitted parameters: the trees learn the departure from the physics (or
 * from the expected output), and the baseline carries the scale to configurations the data never saw.
 */
export interface TargetDef {
  readonly name: 'gpu_seconds' | 'output_tokens';
  readonly kind: 'self_hosted' | 'api';
  readonly providerKind: number;
  readonly offset: number;
  /** What `baseline` is, for the model card. */
  readonly baselineDescription: string;
  /** Whether a run has what a baseline needs (before any parameters are fitted). */
  usable(vec: Float32Array | Float64Array, row?: number): boolean;
  baseline(vec: Float32Array | Float64Array, row: number, params: BaselineParams | undefined, model?: string): number;
  label(r: RunRecord): number | undefined;
  /** What the quantity cannot exceed (output tokens: requests x max output); Infinity when unbounded. */
  cap(vec: Float32Array | Float64Array, row?: number): number;
  /** Features the learned factor may only rise with (XGBoost monotone constraints): what grows with tokens or requests. */
  readonly monotoneIncreasing: readonly string[];
  /** Features that name the hardware; masked for a model of accelerators it never saw. */
  readonly hardwareFeatures: readonly string[];
}

const at = (vec: Float32Array | Float64Array, row: number, f: number) => vec[row * FEATURE_COUNT + f];

export const TARGETS: Readonly<Record<TargetDef['name'], TargetDef>> = {
  gpu_seconds: {
    name: 'gpu_seconds',
    kind: 'self_hosted',
    providerKind: 1,
    offset: 0,
    baselineDescription:
      'physics terms at the efficiency fitted per vendor x engine (model/baselines.ts calibratedGpuSeconds)',
    usable: (vec, row = 0) => at(vec, row, F.roofline_gpu_seconds) > 0,
    baseline: (vec, row, params) => calibratedGpuSeconds(physicsRow(vec, row), paramsFor(params?.physics, vec, row)),
    cap: () => Infinity,
    label: (r) => r.outcome?.gpu_seconds,
    monotoneIncreasing: [
      'requests',
      'prompt_tokens',
      'max_output_tokens',
      'roofline_gpu_seconds',
      'prefill_compute_gpu_seconds',
      'prefill_memory_gpu_seconds',
      'decode_memory_gpu_seconds',
      'decode_compute_gpu_seconds',
      'interconnect_gpu_seconds',
      'layer_steps_k',
      'kv_cache_pressure',
    ],
    hardwareFeatures: [
      'gpu_memory_gb',
      'gpu_memory_bandwidth_tbps',
      'gpu_bf16_tflops',
      'gpu_usd_per_hour',
      'gpu_interconnect_gbps',
    ],
  },
  output_tokens: {
    name: 'output_tokens',
    kind: 'api',
    providerKind: 0,
    offset: 1,
    baselineDescription:
      "requests x mean output per request: the tenant's recent mean shrunk towards the population prior for the model and prompt length",
    usable: (vec, row = 0) => at(vec, row, F.requests) * at(vec, row, F.max_output_tokens) > 0,
    baseline: (vec, row, params, model) => expectedOutputTokens(params?.prior, vec, row, model),
    cap: (vec, row = 0) => at(vec, row, F.requests) * at(vec, row, F.max_output_tokens),
    label: (r) => r.outcome?.output_tokens,
    // A longer prompt may well get a shorter answer: only what grows with requests and the limit is constrained.
    monotoneIncreasing: ['requests', 'max_output_tokens', 'worst_case_cost_usd'],
    hardwareFeatures: [],
  },
};

export const targetFor = (providerKind: number): TargetDef =>
  providerKind === 1 ? TARGETS.gpu_seconds : TARGETS.output_tokens;

export const toTransformed = (t: TargetDef, y: number, base: number) => Math.log((y + t.offset) / (base + t.offset));
export const fromTransformed = (t: TargetDef, z: number, base: number, cap = Infinity) =>
  Math.max(0, Math.min(cap, Math.exp(z) * (base + t.offset) - t.offset));
