import { FEATURE_INDEX as F } from '../features/index.js';
import type { RunRecord } from '../stream/index.js';

/**
 * What the PCPO model predicts: a physical quantity per run kind, priced at prediction time so a price
 * change needs no retrain. Each is learned as ln((y + c) / (baseline + c)) where the baseline comes
 * from the feature vector: the trees learn an efficiency ratio, and the physics carries the scale to
 * configurations the training data never saw.
 */
export interface TargetDef {
  readonly name: 'gpu_seconds' | 'output_tokens';
  readonly kind: 'self_hosted' | 'api';
  readonly providerKind: number;
  readonly offset: number;
  baseline(vec: Float32Array | Float64Array, row?: number): number;
  label(r: RunRecord): number | undefined;
  /** Upper bound the quantity cannot exceed (output tokens cannot exceed requests x max output). */
  readonly capAtBaseline: boolean;
}

const at = (vec: Float32Array | Float64Array, row: number, f: number) => vec[row * 21 + f];

export const TARGETS: Readonly<Record<TargetDef['name'], TargetDef>> = {
  gpu_seconds: {
    name: 'gpu_seconds', kind: 'self_hosted', providerKind: 1, offset: 0, capAtBaseline: false,
    baseline: (vec, row = 0) => at(vec, row, F.roofline_gpu_seconds),
    label: (r) => r.outcome?.gpu_seconds,
  },
  output_tokens: {
    name: 'output_tokens', kind: 'api', providerKind: 0, offset: 1, capAtBaseline: true,
    baseline: (vec, row = 0) => at(vec, row, F.requests) * at(vec, row, F.max_output_tokens),
    label: (r) => r.outcome?.output_tokens,
  },
};

export const targetFor = (providerKind: number): TargetDef => (providerKind === 1 ? TARGETS.gpu_seconds : TARGETS.output_tokens);

export const toTransformed = (t: TargetDef, y: number, base: number) => Math.log((y + t.offset) / (base + t.offset));
export const fromTransformed = (t: TargetDef, z: number, base: number) => {
  const y = Math.exp(z) * (base + t.offset) - t.offset;
  return Math.max(0, t.capAtBaseline ? Math.min(y, base) : y);
};
