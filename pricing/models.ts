import { NameRegistry } from './names.js';

export type Precision = 'fp32' | 'bf16' | 'fp16' | 'fp8' | 'int8' | 'int4';

export const PRECISION_BITS: Readonly<Record<Precision, number>> = { fp32: 32, bf16: 16, fp16: 16, fp8: 8, int8: 8, int4: 4 };

/** An open-weight model's size and shape: what a roofline needs to estimate its GPU time. */
export interface ModelSpec {
  readonly id: string;
  readonly aliases?: readonly string[];
  /** Billions of parameters in all. */
  readonly totalParamsB: number;
  /** Billions of parameters used per token (differs from total for mixture-of-experts). */
  readonly activeParamsB: number;
  readonly defaultPrecision: Precision;
  readonly contextWindow: number;
  readonly layers: number;
  readonly hiddenSize: number;
  readonly kvHeads: number;
  readonly headDim: number;
}

/** Figures from each model's Hugging Face `config.json` and model card. */
export const MODEL_SPECS: readonly ModelSpec[] = [
  { id: 'llama-7b', aliases: ['huggyllama/llama-7b'], totalParamsB: 6.74, activeParamsB: 6.74, defaultPrecision: 'fp16', contextWindow: 2048, layers: 32, hiddenSize: 4096, kvHeads: 32, headDim: 128 },
  { id: 'llama-2-7b', aliases: ['meta-llama/Llama-2-7b-hf', 'meta-llama/Llama-2-7b-chat-hf'], totalParamsB: 6.74, activeParamsB: 6.74, defaultPrecision: 'fp16', contextWindow: 4096, layers: 32, hiddenSize: 4096, kvHeads: 32, headDim: 128 },
  { id: 'llama-2-13b', aliases: ['meta-llama/Llama-2-13b-hf', 'meta-llama/Llama-2-13b-chat-hf'], totalParamsB: 13.02, activeParamsB: 13.02, defaultPrecision: 'fp16', contextWindow: 4096, layers: 40, hiddenSize: 5120, kvHeads: 40, headDim: 128 },
  { id: 'llama-2-70b', aliases: ['meta-llama/Llama-2-70b-hf', 'meta-llama/Llama-2-70b-chat-hf'], totalParamsB: 68.98, activeParamsB: 68.98, defaultPrecision: 'fp16', contextWindow: 4096, layers: 80, hiddenSize: 8192, kvHeads: 8, headDim: 128 },
  { id: 'llama-3-8b', aliases: ['meta-llama/Meta-Llama-3-8B', 'meta-llama/Meta-Llama-3-8B-Instruct'], totalParamsB: 8.03, activeParamsB: 8.03, defaultPrecision: 'bf16', contextWindow: 8192, layers: 32, hiddenSize: 4096, kvHeads: 8, headDim: 128 },
  { id: 'llama-3-70b', aliases: ['meta-llama/Meta-Llama-3-70B', 'meta-llama/Meta-Llama-3-70B-Instruct'], totalParamsB: 70.55, activeParamsB: 70.55, defaultPrecision: 'bf16', contextWindow: 8192, layers: 80, hiddenSize: 8192, kvHeads: 8, headDim: 128 },
  { id: 'llama-3.1-8b', aliases: ['meta-llama/Llama-3.1-8B', 'meta-llama/Llama-3.1-8B-Instruct', 'meta-llama/Meta-Llama-3.1-8B'], totalParamsB: 8.03, activeParamsB: 8.03, defaultPrecision: 'bf16', contextWindow: 131072, layers: 32, hiddenSize: 4096, kvHeads: 8, headDim: 128 },
  { id: 'llama-3.1-70b', aliases: ['meta-llama/Llama-3.1-70B', 'meta-llama/Llama-3.1-70B-Instruct', 'meta-llama/Meta-Llama-3.1-70B'], totalParamsB: 70.55, activeParamsB: 70.55, defaultPrecision: 'bf16', contextWindow: 131072, layers: 80, hiddenSize: 8192, kvHeads: 8, headDim: 128 },
  { id: 'llama-3.1-405b', aliases: ['meta-llama/Llama-3.1-405B', 'meta-llama/Llama-3.1-405B-Instruct'], totalParamsB: 405.85, activeParamsB: 405.85, defaultPrecision: 'bf16', contextWindow: 131072, layers: 126, hiddenSize: 16384, kvHeads: 8, headDim: 128 },
  { id: 'mistral-7b', aliases: ['mistralai/Mistral-7B-v0.1', 'mistralai/Mistral-7B-Instruct-v0.2', 'mistralai/Mistral-7B-v0.3'], totalParamsB: 7.24, activeParamsB: 7.24, defaultPrecision: 'bf16', contextWindow: 32768, layers: 32, hiddenSize: 4096, kvHeads: 8, headDim: 128 },
  { id: 'mixtral-8x7b', aliases: ['mistralai/Mixtral-8x7B-v0.1', 'mistralai/Mixtral-8x7B-Instruct-v0.1'], totalParamsB: 46.7, activeParamsB: 12.9, defaultPrecision: 'bf16', contextWindow: 32768, layers: 32, hiddenSize: 4096, kvHeads: 8, headDim: 128 },
  { id: 'mixtral-8x22b', aliases: ['mistralai/Mixtral-8x22B-v0.1', 'mistralai/Mixtral-8x22B-Instruct-v0.1'], totalParamsB: 140.6, activeParamsB: 39.1, defaultPrecision: 'bf16', contextWindow: 65536, layers: 56, hiddenSize: 6144, kvHeads: 8, headDim: 128 },
  { id: 'qwen2-7b', aliases: ['Qwen/Qwen2-7B', 'Qwen/Qwen2-7B-Instruct'], totalParamsB: 7.62, activeParamsB: 7.62, defaultPrecision: 'bf16', contextWindow: 131072, layers: 28, hiddenSize: 3584, kvHeads: 4, headDim: 128 },
  { id: 'qwen2-72b', aliases: ['Qwen/Qwen2-72B', 'Qwen/Qwen2-72B-Instruct'], totalParamsB: 72.71, activeParamsB: 72.71, defaultPrecision: 'bf16', contextWindow: 131072, layers: 80, hiddenSize: 8192, kvHeads: 8, headDim: 128 },
  { id: 'qwen2.5-7b', aliases: ['Qwen/Qwen2.5-7B', 'Qwen/Qwen2.5-7B-Instruct'], totalParamsB: 7.62, activeParamsB: 7.62, defaultPrecision: 'bf16', contextWindow: 131072, layers: 28, hiddenSize: 3584, kvHeads: 4, headDim: 128 },
  { id: 'qwen2.5-72b', aliases: ['Qwen/Qwen2.5-72B', 'Qwen/Qwen2.5-72B-Instruct'], totalParamsB: 72.71, activeParamsB: 72.71, defaultPrecision: 'bf16', contextWindow: 131072, layers: 80, hiddenSize: 8192, kvHeads: 8, headDim: 128 },
  { id: 'decilm-7b', aliases: ['Deci/DeciLM-7B', 'Deci/DeciLM-7B-instruct'], totalParamsB: 7.04, activeParamsB: 7.04, defaultPrecision: 'bf16', contextWindow: 8192, layers: 32, hiddenSize: 4096, kvHeads: 4, headDim: 128 },
  { id: 'aquila-7b', aliases: ['BAAI/Aquila-7B'], totalParamsB: 7.26, activeParamsB: 7.26, defaultPrecision: 'fp16', contextWindow: 2048, layers: 32, hiddenSize: 4096, kvHeads: 32, headDim: 128 },
  { id: 'tinyllama-1.1b', aliases: ['TinyLlama/TinyLlama-1.1B-Chat-v1.0', 'TinyLlama/TinyLlama_v1.1'], totalParamsB: 1.1, activeParamsB: 1.1, defaultPrecision: 'bf16', contextWindow: 2048, layers: 22, hiddenSize: 2048, kvHeads: 4, headDim: 64 },
  { id: 'gemma-2-9b', aliases: ['google/gemma-2-9b', 'google/gemma-2-9b-it'], totalParamsB: 9.24, activeParamsB: 9.24, defaultPrecision: 'bf16', contextWindow: 8192, layers: 42, hiddenSize: 3584, kvHeads: 8, headDim: 256 },
  { id: 'phi-3-mini', aliases: ['microsoft/Phi-3-mini-4k-instruct'], totalParamsB: 3.82, activeParamsB: 3.82, defaultPrecision: 'bf16', contextWindow: 4096, layers: 32, hiddenSize: 3072, kvHeads: 32, headDim: 96 },
];

/** `meta-llama/Llama-2-7b-chat-hf` and `llama-2-7b` are one model: the org prefix and case do not matter. */
function modelKey(name: string): string {
  const bare = name.includes('/') ? name.slice(name.lastIndexOf('/') + 1) : name;
  return bare.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^-|-$/g, '');
}

export type ModelSpecTable = NameRegistry<ModelSpec>;

export function createModelSpecTable(specs: readonly ModelSpec[] = MODEL_SPECS): ModelSpecTable {
  return new NameRegistry(specs, 'UNKNOWN_MODEL', 'model', modelKey);
}

/** Bytes a KV cache holds per token of context for this model at `bytesPerValue` (2 for fp16/bf16). */
export function kvBytesPerToken(m: ModelSpec, bytesPerValue = 2): number {
  return 2 * m.layers * m.kvHeads * m.headDim * bytesPerValue;
}
