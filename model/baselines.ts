import { FEATURE_COUNT, FEATURE_INDEX as F } from '../features/index.js';

/**
 * Engine efficiency on top of the physics, fitted at training per vendor x engine (`lutflow train` writes it into
 * the card): log of [bandwidth efficiency, compute efficiency, microseconds per device x layer x step, seconds
 * per device per run, interconnect factor].
 */
export type EfficiencyParams = readonly [
  lnBandwidth: number,
  lnCompute: number,
  lnLayerStepUs: number,
  lnRunOverheadS: number,
  lnInterconnect: number,
];

export interface PhysicsCalibration {
  /** Fitted on every run; the fallback for an engine the data lacks. */
  readonly global: EfficiencyParams;
  /** The accelerators the fits saw (datasheet figures as float32, as the vectors hold them), with their vendor codes. */
  readonly accelerators?: readonly {
    readonly vendor: number;
    readonly bandwidth_tbps: number;
    readonly tflops: number;
  }[];
  /**
   * By key, most specific first: `bandwidth|tflops|framework|gpus`, `bandwidth|tflops|framework`, `vendor|framework`,
   * `*|framework` (codes; bandwidth in TB/s and TFLOP/s as float32, as the vectors hold them).
   */
  readonly groups: Readonly<Record<string, EfficiencyParams>>;
}

/** What an engine reaches before any fit: 70 % of bandwidth, 50 % of compute, 20 µs a layer step, 0.1 s a run. */
export const DEFAULT_EFFICIENCY: EfficiencyParams = [Math.log(0.7), Math.log(0.5), Math.log(20), Math.log(0.1), 0];

const at = (vec: ArrayLike<number>, row: number, f: number) => vec[row * FEATURE_COUNT + f];

export function calibrationKey(vendorCode: number, frameworkCode: number): string {
  return `${Number.isNaN(vendorCode) ? '*' : vendorCode}|${Number.isNaN(frameworkCode) ? '*' : frameworkCode}`;
}

/**
 * `a|b|c…` for numbers, remembered: predictions look the same few keys up on every call, and formatting floats
 * is most of what that would cost. Nested maps keyed by the numbers themselves (NaN included) find it again.
 */
type KeyTree = Map<number, KeyTree | string>;
/** One tree per number of parts: a key's prefix may be another key. */
const trees = new Map<number, KeyTree>();
let remembered = 0;
export function numbersKey(...parts: number[]): string {
  let node = trees.get(parts.length);
  if (!node) trees.set(parts.length, (node = new Map()));
  for (let i = 0; i < parts.length - 1; i++) {
    let next = node.get(parts[i]) as KeyTree | undefined;
    if (!next) node.set(parts[i], (next = new Map()));
    node = next;
  }
  const last = parts[parts.length - 1];
  let k = node.get(last) as string | undefined;
  if (k === undefined) {
    k = parts.join('|');
    if (++remembered > 100_000) {
      trees.clear();
      remembered = 0;
    }
    node.set(last, k);
  }
  return k;
}

/** An accelerator (by its datasheet bandwidth and TFLOP/s, as the vector holds them) running an engine. */
export function acceleratorKey(vec: ArrayLike<number>, row: number): string {
  return numbersKey(at(vec, row, F.gpu_memory_bandwidth_tbps), at(vec, row, F.gpu_bf16_tflops), at(vec, row, F.framework_code));
}

/** The same on a number of devices: tensor-parallel overheads are the accelerator's and the engine's. */
export function deploymentKey(vec: ArrayLike<number>, row: number): string {
  return numbersKey(
    at(vec, row, F.gpu_memory_bandwidth_tbps), at(vec, row, F.gpu_bf16_tflops), at(vec, row, F.framework_code), at(vec, row, F.gpu_count),
  );
}

/**
 * For an accelerator never seen, the seen one of the same vendor closest to it on the datasheet (bandwidth and
 * compute, in ratio) that ran this engine: the nearest thing to the same silicon and software (H100 for a GH200).
 */
function sibling(c: PhysicsCalibration, vec: ArrayLike<number>, row: number): string | undefined {
  const vendor = at(vec, row, F.gpu_vendor_code),
    bw = at(vec, row, F.gpu_memory_bandwidth_tbps),
    tf = at(vec, row, F.gpu_bf16_tflops);
  const fw = at(vec, row, F.framework_code);
  let best: string | undefined,
    distance = Infinity;
  for (const a of c.accelerators ?? []) {
    const key = `${a.bandwidth_tbps}|${a.tflops}|${fw}`;
    if (a.vendor !== vendor || !c.groups[key]) continue;
    const d = Math.abs(Math.log(a.bandwidth_tbps / bw)) + Math.abs(Math.log(a.tflops / tf));
    if (d < distance) {
      distance = d;
      best = key;
    }
  }
  return best;
}

/**
 * The most specific fit there is: accelerator x engine x device count, else accelerator x engine; for an
 * accelerator never seen, its nearest sibling's (same vendor and engine) on as many devices, else on any;
 * else vendor x engine, else the engine, else everyone.
 */
export function paramsFor(c: PhysicsCalibration | undefined, vec: ArrayLike<number>, row = 0): EfficiencyParams {
  if (!c) return DEFAULT_EFFICIENCY;
  const fw = at(vec, row, F.framework_code);
  const own = c.groups[deploymentKey(vec, row)] ?? c.groups[acceleratorKey(vec, row)];
  if (own) return own;
  const near = sibling(c, vec, row);
  return (
    (near === undefined ? undefined : (c.groups[`${near}|${at(vec, row, F.gpu_count)}`] ?? c.groups[near])) ??
    c.groups[calibrationKey(at(vec, row, F.gpu_vendor_code), fw)] ??
    c.groups[calibrationKey(NaN, fw)] ??
    c.global
  );
}

/** The physics terms of a row, in the order `calibratedGpuSeconds` uses them. */
export interface PhysicsRow {
  readonly gpus: number;
  readonly prefillCompute: number;
  readonly prefillMemory: number;
  readonly decodeMemory: number;
  readonly decodeCompute: number;
  readonly layerStepsK: number;
  readonly interconnect: number;
}

export function physicsRow(vec: ArrayLike<number>, row = 0): PhysicsRow {
  return {
    gpus: at(vec, row, F.gpu_count),
    prefillCompute: at(vec, row, F.prefill_compute_gpu_seconds),
    prefillMemory: at(vec, row, F.prefill_memory_gpu_seconds),
    decodeMemory: at(vec, row, F.decode_memory_gpu_seconds),
    decodeCompute: at(vec, row, F.decode_compute_gpu_seconds),
    layerStepsK: at(vec, row, F.layer_steps_k),
    interconnect: at(vec, row, F.interconnect_gpu_seconds),
  };
}

/**
 * GPU-seconds the physics predicts at an engine's efficiency: each phase bound by compute or memory at the
 * efficiency reached, plus per-layer-step overheads, interconnect time and a fixed cost per device per run.
 * Non-decreasing in every term, so in tokens and requests.
 */
export function calibratedGpuSeconds(t: PhysicsRow, p: EfficiencyParams): number {
  const bw = Math.exp(-p[0]),
    fl = Math.exp(-p[1]);
  return (
    t.gpus * Math.exp(p[3]) +
    Math.max(t.prefillCompute * fl, t.prefillMemory * bw) +
    Math.max(t.decodeMemory * bw, t.decodeCompute * fl) +
    Math.exp(p[2]) * 1e-3 * t.layerStepsK +
    Math.exp(p[4]) * t.interconnect
  );
}

/** Mean output tokens per request, learned from every API run at training, per model and prompt length. */
export interface OutputPrior {
  /** Runs of history that weigh as much as the prior: a tenant's own mean takes over as its runs pass this. */
  readonly history_weight_runs: number;
  readonly global: PriorEntry;
  readonly models: readonly (PriorEntry & {
    readonly model: string;
    readonly input_usd_per_mtok: number;
    readonly output_usd_per_mtok: number;
  })[];
}

export interface PriorEntry {
  readonly per_request: number;
  readonly runs: number;
  /** By prompt-length bucket (`promptBucket`), already shrunk towards the entry's own mean. */
  readonly buckets: Readonly<Record<string, number>>;
}

/** Prompt-length buckets by powers of two: 0 (< 256 tokens), 1 (< 512), … 6 (8k and more). */
export function promptBucket(promptTokens: number): number {
  return Math.max(0, Math.min(6, Math.floor(Math.log2(Math.max(1, promptTokens) / 128))));
}

function priorEntry(p: OutputPrior, vec: ArrayLike<number>, row: number, model?: string): PriorEntry {
  if (model !== undefined) {
    const byName = p.models.find((e) => e.model === model);
    if (byName) return byName;
  }
  // Without the name (a bare vector), the prices at launch tell the model apart as long as they have not changed.
  const input = at(vec, row, F.input_usd_per_mtok),
    output = at(vec, row, F.output_usd_per_mtok);
  return (
    p.models.find(
      (e) => Math.fround(e.input_usd_per_mtok) === input && Math.fround(e.output_usd_per_mtok) === output,
    ) ?? p.global
  );
}

/**
 * Expected output tokens of an API run: requests x the tenant's recent mean per request, shrunk towards the
 * population prior for the model and prompt length by `history_weight_runs`; the prior alone for a new tenant.
 * Never above requests x max output tokens.
 */
export function expectedOutputTokens(
  p: OutputPrior | undefined,
  vec: ArrayLike<number>,
  row = 0,
  model?: string,
): number {
  const requests = at(vec, row, F.requests),
    maxOut = at(vec, row, F.max_output_tokens);
  const observed = at(vec, row, F.tenant_runs_observed),
    own = at(vec, row, F.tenant_output_tokens_per_request_recent);
  if (!p) {
    const ratio = at(vec, row, F.tenant_output_ratio_recent);
    return requests * maxOut * (ratio > 0 && ratio <= 1 ? ratio : 1);
  }
  const e = priorEntry(p, vec, row, model);
  const prior = e.buckets[promptBucket(at(vec, row, F.prompt_tokens))] ?? e.per_request;
  const n = observed > 0 && Number.isFinite(own) ? observed : 0;
  const perRequest = (n * (n ? own : 0) + p.history_weight_runs * prior) / (n + p.history_weight_runs);
  return requests * Math.max(1e-3, Math.min(maxOut, perRequest));
}
