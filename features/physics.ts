import { DEFAULT_INTERCONNECT_GBPS, kvBytesPerToken, type GpuSpec, type ModelSpec } from '../pricing/index.js';

export interface RooflineInput {
  readonly model: ModelSpec;
  readonly gpu: GpuSpec;
  readonly gpuCount: number;
  readonly precisionBits: number;
  readonly batchSize: number;
  readonly requests: number;
  readonly promptTokens: number;
  readonly outputTokens: number;
  /** Engines that split layers across devices (llama.cpp) run them one after another: no speed-up per token. */
  readonly layerSplit?: boolean;
}

/**
 * A run's ideal work at 100 % of the datasheet, in GPU-seconds (seconds x devices), term by term. Every term is
 * non-decreasing in prompt tokens, output tokens and requests, so a model that only ever raises or keeps them
 * when they grow predicts that more tokens never cost less.
 */
export interface PhysicsTerms {
  /** Prefill arithmetic: 2 x active params per prompt token, plus causal attention over the prompt. */
  readonly prefillCompute: number;
  /** Prefill's weight read, once per batch wave. */
  readonly prefillMemory: number;
  /** Decode's memory traffic: the weights (experts touched, for a mixture) every step, plus each sequence's KV cache. */
  readonly decodeMemory: number;
  /** Decode arithmetic: 2 x active params per generated token, plus attention over the context. */
  readonly decodeCompute: number;
  /** Tensor-parallel all-reduces: two per layer per step, latency plus bytes over the interconnect. */
  readonly interconnect: number;
  /** Device x layer x step launches, in thousands: what per-kernel overheads scale with. */
  readonly layerStepsK: number;
  /** KV bytes of the sequences served at once / memory left after the weights (above 1: they do not fit). */
  readonly kvPressure: number;
  /** Weight bytes per device / device memory. */
  readonly weightsShare: number;
}

/** One all-reduce's fixed cost (launch and synchronisation), seconds. */
const ALL_REDUCE_LATENCY_S = 8e-6;
/** Share of device memory an engine gives to weights and cache. */
const USABLE_MEMORY = 0.9;

/**
 * The physics of one run. Devices form one tensor-parallel group (weights, KV cache and arithmetic split n
 * ways, two all-reduces per layer per step), or a layer split that runs stages one after another. Requests
 * run in waves of at most `batchSize` sequences, fewer when their KV caches do not fit next to the weights.
 */
export function physicsTerms(r: RooflineInput): PhysicsTerms {
  const n = r.gpuCount;
  const m = r.model;
  const tp = r.layerSplit ? 1 : n;
  const weightBytes = m.totalParamsB * 1e9 * (r.precisionBits / 8);
  const kvPerToken = kvBytesPerToken(m, r.precisionBits >= 32 ? 4 : 2);
  const flopsPerToken = 2 * m.activeParamsB * 1e9;
  // fp8 and int8 run on tensor cores at twice the 16-bit rate; int4 is weight-only and computes in 16 bits.
  const flops = r.gpu.bf16Tflops * 1e12 * (r.precisionBits === 8 ? 2 : 1);
  const bandwidth = r.gpu.memoryBandwidthGbps * 1e9;
  const link = (r.gpu.interconnectGbps ?? DEFAULT_INTERCONNECT_GBPS) * 1e9;
  const memory = n * r.gpu.memoryGb * 1e9 * USABLE_MEMORY;

  const req = r.requests,
    prompt = r.promptTokens,
    out = r.outputTokens;
  const seqBytes = (prompt + out) * kvPerToken;
  const free = Math.max(memory - weightBytes, 0.05 * memory);
  const fit = Math.max(1, Math.floor(free / Math.max(seqBytes, 1)));
  const conc = Math.max(1, Math.min(r.batchSize, req, fit));
  const waves = Math.ceil(req / conc);
  // A mixture reads the experts its tokens route to: E x (1 - (1 - k/E)^c) of them for c sequences in a step.
  let stepWeights = weightBytes * waves;
  if (m.experts && m.expertsPerToken && m.experts > m.expertsPerToken) {
    const perExpert =
      (weightBytes * (m.totalParamsB - m.activeParamsB)) / m.totalParamsB / (m.experts - m.expertsPerToken);
    const shared = weightBytes - m.experts * perExpert;
    const touched = m.experts * (1 - (1 - m.expertsPerToken / m.experts) ** conc);
    stepWeights = shared * waves + (touched * perExpert * req) / conc;
  }
  const attnWidth = m.hiddenSize;
  const prefillCompute =
    (req * prompt * flopsPerToken + 2 * req * prompt * prompt * m.layers * attnWidth) / (tp * flops);
  const prefillMemory = (waves * weightBytes) / (tp * bandwidth);
  const meanContext = prompt + out / 2;
  const decodeMemory = (out * (stepWeights + req * meanContext * kvPerToken)) / (tp * bandwidth);
  const decodeCompute = (req * out * (flopsPerToken + 4 * meanContext * m.layers * attnWidth)) / (tp * flops);
  let interconnect = 0;
  if (tp > 1) {
    const perToken = ((2 * (tp - 1)) / tp) * m.hiddenSize * 2;
    interconnect = 2 * m.layers * (waves * (out + 1) * ALL_REDUCE_LATENCY_S + (req * (prompt + out) * perToken) / link);
  }
  // Layer split: each device holds its share of the layers and works only while the sequence passes through it,
  // so every device is busy for the whole run; the terms above (per device) are paid by all n.
  return {
    prefillCompute: prefillCompute * n,
    prefillMemory: prefillMemory * n,
    decodeMemory: decodeMemory * n,
    decodeCompute: decodeCompute * n,
    interconnect: interconnect * n,
    layerStepsK: (n * waves * (out + 1) * m.layers) / 1e3,
    kvPressure: (Math.min(r.batchSize, req) * seqBytes) / free,
    weightsShare: weightBytes / tp / (r.gpu.memoryGb * 1e9),
  };
}

/** Ideal GPU-seconds at 100 % of peak: prefill and decode each bound by compute or memory, plus the interconnect. */
export function rooflineFromTerms(t: PhysicsTerms): number {
  return Math.max(t.prefillCompute, t.prefillMemory) + Math.max(t.decodeMemory, t.decodeCompute) + t.interconnect;
}

export function rooflineGpuSeconds(r: RooflineInput): number {
  return rooflineFromTerms(physicsTerms(r));
}
