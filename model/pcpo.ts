import { join } from 'node:path';
import {
  FEATURE_COUNT,
  FEATURE_INDEX as F,
  FEATURE_SPEC_HASH,
  FEATURE_NAMES,
  FEATURE_SPEC_VERSION,
} from '../features/index.js';
import { readCard, type ModelCard } from './card.js';
import type { TreeEnsemble } from './ensemble.js';
import { ModelError } from './errors.js';
import { loadEnsemble } from './load.js';
import { acceleratorKey, calibrationKey, numbersKey } from './baselines.js';
import { fromTransformed, TARGETS, targetFor, type BaselineParams, type TargetDef } from './targets.js';

export interface QuantityPrediction {
  readonly target: TargetDef['name'];
  readonly p50: number;
  readonly p90: number;
  /** The plan runs on an accelerator the model never learned from: the hardware-blind model answered. */
  readonly unseenHardware?: boolean;
}

export interface CostPrediction extends QuantityPrediction {
  readonly p50_usd: number;
  readonly p90_usd: number;
}

/** What a caller knows beyond the vector; the API output prior is per model, which a vector does not name. */
export interface PredictionHint {
  readonly model?: string;
}

interface Quantiles {
  readonly ensemble: TreeEnsemble;
  readonly p50Index: number;
  readonly p90Index: number;
  readonly p90Offset: number;
}

interface LoadedTarget extends Quantiles {
  readonly def: TargetDef;
  readonly groupOffsets?: Readonly<Record<string, number>>;
  readonly baseline: BaselineParams;
  /** `bandwidth|tflops` of the accelerators seen in training, as float32 like the vectors. */
  readonly hardwareSeen?: ReadonlySet<string>;
  readonly frameworksSeen?: ReadonlySet<number>;
  readonly unseen?: Quantiles;
  readonly unseenGroupOffsets?: Readonly<Record<string, number>>;
  /** Vector positions the hardware-blind model sees as missing. */
  readonly masked: readonly number[];
}

const hardwareKey = (bandwidthTbps: number, tflops: number) => numbersKey(Math.fround(bandwidthTbps), Math.fround(tflops));

/** Copies row `row` of `vec` into `into` with the hardware identity (and an engine never seen) masked as missing. */
export function maskHardware(
  vec: Float32Array,
  row: number,
  masked: readonly number[],
  into: Float32Array,
  frameworksSeen?: ReadonlySet<number>,
): Float32Array {
  into.set(vec.subarray(row * FEATURE_COUNT, (row + 1) * FEATURE_COUNT));
  for (const i of masked) into[i] = NaN;
  if (frameworksSeen && !frameworksSeen.has(into[F.framework_code])) into[F.framework_code] = NaN;
  return into;
}

/** A loaded PCPO model directory: the card and its ensembles per run kind. */
export class PcpoModel {
  private readonly margins = new Float64Array(2);
  private readonly scratch = new Float32Array(FEATURE_COUNT);

  constructor(
    readonly dir: string,
    readonly card: ModelCard,
    private readonly targets: ReadonlyMap<string, LoadedTarget>,
  ) {}

  get version(): string {
    return this.card.model_version;
  }

  /** P50 and P90 of the physical quantity for one feature vector, or undefined when no target covers its run kind. */
  predictQuantity(vec: Float32Array, row = 0, hint: PredictionHint = {}): QuantityPrediction | undefined {
    const at = row * FEATURE_COUNT;
    const def = targetFor(vec[at + F.provider_kind]);
    const t = this.targets.get(def.name);
    if (!t || !def.usable(vec, row)) return undefined;
    const base = def.baseline(vec, row, t.baseline, hint.model);
    if (!(base > 0) || !Number.isFinite(base)) return undefined;
    const unseen =
      t.hardwareSeen !== undefined &&
      !t.hardwareSeen.has(hardwareKey(vec[at + F.gpu_memory_bandwidth_tbps], vec[at + F.gpu_bf16_tflops]));
    // An engine the model never saw is as foreign as an accelerator: the hardware-blind model answers, engine masked.
    const blind =
      t.unseen !== undefined &&
      (unseen || (t.frameworksSeen !== undefined && !t.frameworksSeen.has(vec[at + F.framework_code])));
    const q = blind ? t.unseen! : t;
    const m = blind
      ? q.ensemble.predictMargin(maskHardware(vec, row, t.masked, this.scratch, t.frameworksSeen), this.margins, 0)
      : q.ensemble.predictMargin(vec, this.margins, at);
    const cap = def.cap(vec, row);
    const p50 = fromTransformed(def, m[q.p50Index], base, cap);
    const offset = blind
      ? (t.unseenGroupOffsets?.[calibrationKey(vec[at + F.gpu_vendor_code], vec[at + F.framework_code])] ?? q.p90Offset)
      : (t.groupOffsets?.[acceleratorKey(vec, row)] ?? q.p90Offset);
    const p90 = Math.max(p50, fromTransformed(def, m[q.p90Index] + offset, base, cap));
    return unseen ? { target: def.name, p50, p90, unseenHardware: true } : { target: def.name, p50, p90 };
  }

  /** Prices the quantity with the prices in the vector (those in force at launch). */
  predictCost(vec: Float32Array, row = 0, hint: PredictionHint = {}): CostPrediction | undefined {
    const q = this.predictQuantity(vec, row, hint);
    if (!q) return undefined;
    const v = (f: number) => vec[row * FEATURE_COUNT + f];
    if (q.target === 'gpu_seconds') {
      const perSecond = v(F.gpu_usd_per_hour) / 3600;
      const cost = { target: q.target, p50: q.p50, p90: q.p90, p50_usd: q.p50 * perSecond, p90_usd: q.p90 * perSecond };
      return q.unseenHardware ? { ...cost, unseenHardware: true } : cost;
    }
    const input = (v(F.requests) * v(F.prompt_tokens) * v(F.input_usd_per_mtok)) / 1e6;
    const out = v(F.output_usd_per_mtok) / 1e6;
    return { target: q.target, p50: q.p50, p90: q.p90, p50_usd: input + q.p50 * out, p90_usd: input + q.p90 * out };
  }
}

function loadQuantiles(dir: string, file: string, declared: readonly number[], p90Offset: number): Quantiles {
  const ensemble = loadEnsemble(join(dir, file));
  if (ensemble.numFeature !== FEATURE_COUNT)
    throw new ModelError(
      'MODEL_FOREIGN_SPEC',
      `${dir}/${file}: ${ensemble.numFeature} features, the spec has ${FEATURE_COUNT}`,
      'num_feature',
    );
  if (ensemble.featureNames && ensemble.featureNames.join() !== FEATURE_NAMES.join()) {
    const i = ensemble.featureNames.findIndex((n, k) => n !== FEATURE_NAMES[k]);
    throw new ModelError(
      'MODEL_FOREIGN_SPEC',
      `${dir}/${file}: feature ${i} is '${ensemble.featureNames[i]}', the spec says '${FEATURE_NAMES[i]}'`,
      'feature_names',
    );
  }
  // One output: the median, its P90 the median plus the offset. Two or more: quantile outputs for 0.5 and 0.9.
  const qs = ensemble.numTarget === 1 ? [0.5] : (ensemble.quantileAlpha ?? declared);
  const p50Index = qs.indexOf(0.5),
    p90Index = ensemble.numTarget === 1 ? 0 : qs.indexOf(0.9);
  if (ensemble.numTarget !== qs.length || p50Index < 0 || p90Index < 0) {
    throw new ModelError(
      'MODEL_MALFORMED',
      `${dir}/${file}: expected one output (the median) or quantile outputs for 0.5 and 0.9, found ${ensemble.numTarget} output(s) for ${JSON.stringify(qs)}`,
      'quantile_alpha',
    );
  }
  if (!Number.isFinite(p90Offset))
    throw new ModelError(
      'MODEL_MALFORMED',
      `${dir}: the P90 offset of ${file} is not a number`,
      'p90_conformal_offset',
    );
  return { ensemble, p50Index, p90Index, p90Offset };
}

/**
 * Loads and checks a model directory. A model built for another feature spec, a card that does not
 * match its files, or a malformed XGBoost file is refused with a ModelError; nothing half-loads.
 */
export function loadPcpoModel(dir: string): PcpoModel {
  const card = readCard(dir);
  if (card.feature_spec.hash !== FEATURE_SPEC_HASH) {
    throw new ModelError(
      'MODEL_FOREIGN_SPEC',
      `${dir}: built for feature spec ${card.feature_spec.version} (${card.feature_spec.hash.slice(0, 12)}), this build uses ${FEATURE_SPEC_VERSION} (${FEATURE_SPEC_HASH.slice(0, 12)})`,
      'feature_spec.hash',
    );
  }
  const targets = new Map<string, LoadedTarget>();
  for (const [name, tc] of Object.entries(card.targets)) {
    const def = TARGETS[name as TargetDef['name']];
    if (!def || !tc) throw new ModelError('MODEL_MALFORMED', `${dir}: unknown target '${name}'`, `targets.${name}`);
    targets.set(name, {
      def,
      ...loadQuantiles(dir, tc.file, tc.quantiles, tc.p90_conformal_offset),
      baseline: tc.baseline ?? {},
      groupOffsets: tc.p90_group_offsets,
      hardwareSeen:
        tc.hardware_seen && new Set(tc.hardware_seen.map((h) => hardwareKey(h.memory_bandwidth_tbps, h.bf16_tflops))),
      frameworksSeen: tc.frameworks_seen && new Set(tc.frameworks_seen),
      unseen:
        tc.unseen_hardware &&
        loadQuantiles(dir, tc.unseen_hardware.file, tc.quantiles, tc.unseen_hardware.p90_conformal_offset),
      unseenGroupOffsets: tc.unseen_hardware?.p90_group_offsets,
      masked: def.hardwareFeatures.map((f) => F[f]),
    });
  }
  return new PcpoModel(dir, card, targets);
}
