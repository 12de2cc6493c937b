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
  /** What `baseline` is, for the model card. */
  readonly baselineDescription: string;
  baseline(vec: Float32Array | Float64Array, row?: number): number;
  label(r: RunRecord): number | undefined;
  /** What the quantity cannot exceed (output tokens: requests x max output); Infinity when unbounded. */
  cap(vec: Float32Array | Float64Array, row?: number): number;
}

const at = (vec: Float32Array | Float64Array, row: number, f: number) => vec[row * 21 + f];

export const TARGETS: Readonly<Record<TargetDef['name'], TargetDef>> = {
  gpu_seconds: {
    name: 'gpu_seconds', kind: 'self_hosted', providerKind: 1, offset: 0, baselineDescription: 'roofline_gpu_seconds',
    baseline: (vec, row = 0) => at(vec, row, F.roofline_gpu_seconds),
    cap: () => Infinity,
    label: (r) => r.outcome?.gpu_seconds,
  },
  output_tokens: {
    // The tenant's recent output ratio, where it has one, scales the bound: the trees learn the departure from it.
    name: 'output_tokens', kind: 'api', providerKind: 0, offset: 1,
    baselineDescription: 'requests x max_output_tokens x tenant_output_ratio_recent (1 without history)',
    baseline: (vec, row = 0) => {
      const ratio = at(vec, row, F.tenant_output_ratio_recent);
      return at(vec, row, F.requests) * at(vec, row, F.max_output_tokens) * (ratio > 0 && ratio <= 1 ? ratio : 1);
    },
    cap: (vec, row = 0) => at(vec, row, F.requests) * at(vec, row, F.max_output_tokens),
    label: (r) => r.outcome?.output_tokens,
  },
};

export const targetFor = (providerKind: number): TargetDef => (providerKind === 1 ? TARGETS.gpu_seconds : TARGETS.output_tokens);

export const toTransformed = (t: TargetDef, y: number, base: number) => Math.log((y + t.offset) / (base + t.offset));
export const fromTransformed = (t: TargetDef, z: number, base: number, cap = Infinity) => Math.max(0, Math.min(cap, Math.exp(z) * (base + t.offset) - t.offset));
