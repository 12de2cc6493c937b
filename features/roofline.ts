import { kvBytesPerToken, type GpuSpec, type ModelSpec } from '../pricing/index.js';

export interface RooflineInput {
  readonly model: ModelSpec;
  readonly gpu: GpuSpec;
  readonly gpuCount: number;
  readonly precisionBits: number;
  readonly batchSize: number;
  readonly requests: number;
  readonly promptTokens: number;
  readonly outputTokens: number;
}

/**
 * Ideal GPU-seconds of a run at 100 % of peak: each batch prefills its prompts (compute-bound or
 * weight-read-bound, whichever is slower), then decodes one token per request per step, each step reading
 * all weights plus the batch's KV cache (or bound by compute at large batches). Devices share the work
 * perfectly. Real engines reach a fraction of this; the model learns that fraction.
 */
export function rooflineGpuSeconds(r: RooflineInput): number {
  const n = r.gpuCount;
  const bytesPerWeight = r.precisionBits / 8;
  const weightBytes = r.model.totalParamsB * 1e9 * bytesPerWeight;
  const flopsPerToken = 2 * r.model.activeParamsB * 1e9;
  const flops = n * r.gpu.bf16Tflops * 1e12 * (r.precisionBits <= 8 ? 2 : 1);
  const bandwidth = n * r.gpu.memoryBandwidthGbps * 1e9;
  const kvPerToken = kvBytesPerToken(r.model);

  const batches = Math.ceil(r.requests / r.batchSize);
  const b = Math.min(r.batchSize, r.requests);
  const prefill = Math.max((b * r.promptTokens * flopsPerToken) / flops, weightBytes / bandwidth);
  const meanContext = r.promptTokens + r.outputTokens / 2;
  const step = Math.max((weightBytes + b * meanContext * kvPerToken) / bandwidth, (b * flopsPerToken) / flops);
  return batches * (prefill + r.outputTokens * step) * n;
}
