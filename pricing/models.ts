import { NameRegistry } from './names.js';

export type Precision = 'fp32' | 'bf16' | 'fp16' | 'fp8' | 'int8' | 'int4';

export const PRECISION_BITS: Readonly<Record<Precision, number>> = { fp32: 32, bf16: 16, fp16: 16, fp8: 8, int8: 8, int4: 4 };

/** An open-weight model's size and shape: what the physics needs to estimate its GPU time. */
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
  /** Key/value heads (1 for multi-query attention; for latent attention, 1 head of the latent width). */
  readonly kvHeads: number;
  readonly headDim: number;
  /** Mixture-of-experts: routed experts per layer and experts each token uses. */
  readonly experts?: number;
  readonly expertsPerToken?: number;
}

type Moe = readonly [experts: number, perToken: number];

/** One catalog row: id, aliases, params (total, active), precision, context, layers, hidden, KV heads, head dim. */
function m(
  id: string, aliases: readonly string[], total: number, active: number | null, precision: Precision, context: number,
  layers: number, hiddenSize: number, kvHeads: number, headDim: number, moe?: Moe,
): ModelSpec {
  return {
    id, aliases, totalParamsB: total, activeParamsB: active ?? total, defaultPrecision: precision, contextWindow: context,
    layers, hiddenSize, kvHeads, headDim, ...(moe ? { experts: moe[0], expertsPerToken: moe[1] } : {}),
  };
}

const K4 = 4096, K8 = 8192, K16 = 16384, K32 = 32768, K128 = 131072;

/**
 * Figures from each model's Hugging Face `config.json` and model card: the common open families, so a
 * self-hosted plan names its model and is priced. A model missing here is described in the plan instead
 * (`plan.model_arch`, or its `config.json` as `plan.hf_config`).
 */
export const MODEL_SPECS: readonly ModelSpec[] = [
  // Llama 1, 2, 3 and their code and chat derivatives.
  m('llama-7b', ['huggyllama/llama-7b', 'decapoda-research/llama-7b-hf'], 6.74, null, 'fp16', 2048, 32, 4096, 32, 128),
  m('llama-13b', ['huggyllama/llama-13b'], 13.02, null, 'fp16', 2048, 40, 5120, 40, 128),
  m('llama-30b', ['huggyllama/llama-30b', 'llama-33b'], 32.53, null, 'fp16', 2048, 60, 6656, 52, 128),
  m('llama-65b', ['huggyllama/llama-65b'], 65.29, null, 'fp16', 2048, 80, 8192, 64, 128),
  m('llama-2-7b', ['meta-llama/Llama-2-7b-hf', 'meta-llama/Llama-2-7b-chat-hf', 'lmsys/vicuna-7b-v1.5'], 6.74, null, 'fp16', K4, 32, 4096, 32, 128),
  m('llama-2-13b', ['meta-llama/Llama-2-13b-hf', 'meta-llama/Llama-2-13b-chat-hf', 'lmsys/vicuna-13b-v1.5'], 13.02, null, 'fp16', K4, 40, 5120, 40, 128),
  m('llama-2-70b', ['meta-llama/Llama-2-70b-hf', 'meta-llama/Llama-2-70b-chat-hf'], 68.98, null, 'fp16', K4, 80, 8192, 8, 128),
  m('codellama-7b', ['codellama/CodeLlama-7b-hf', 'codellama/CodeLlama-7b-Instruct-hf'], 6.74, null, 'bf16', K16, 32, 4096, 32, 128),
  m('codellama-13b', ['codellama/CodeLlama-13b-hf', 'codellama/CodeLlama-13b-Instruct-hf'], 13.02, null, 'bf16', K16, 40, 5120, 40, 128),
  m('codellama-34b', ['codellama/CodeLlama-34b-hf', 'codellama/CodeLlama-34b-Instruct-hf'], 33.74, null, 'bf16', K16, 48, 8192, 8, 128),
  m('codellama-70b', ['codellama/CodeLlama-70b-hf', 'codellama/CodeLlama-70b-Instruct-hf'], 68.98, null, 'bf16', K16, 80, 8192, 8, 128),
  m('llama-3-8b', ['meta-llama/Meta-Llama-3-8B', 'meta-llama/Meta-Llama-3-8B-Instruct'], 8.03, null, 'bf16', K8, 32, 4096, 8, 128),
  m('llama-3-70b', ['meta-llama/Meta-Llama-3-70B', 'meta-llama/Meta-Llama-3-70B-Instruct'], 70.55, null, 'bf16', K8, 80, 8192, 8, 128),
  m('llama-3.1-8b', ['meta-llama/Llama-3.1-8B', 'meta-llama/Llama-3.1-8B-Instruct', 'meta-llama/Meta-Llama-3.1-8B', 'deepseek-ai/DeepSeek-R1-Distill-Llama-8B'], 8.03, null, 'bf16', K128, 32, 4096, 8, 128),
  m('llama-3.1-70b', ['meta-llama/Llama-3.1-70B', 'meta-llama/Llama-3.1-70B-Instruct', 'meta-llama/Meta-Llama-3.1-70B'], 70.55, null, 'bf16', K128, 80, 8192, 8, 128),
  m('llama-3.1-405b', ['meta-llama/Llama-3.1-405B', 'meta-llama/Llama-3.1-405B-Instruct'], 405.85, null, 'bf16', K128, 126, 16384, 8, 128),
  m('llama-3.2-1b', ['meta-llama/Llama-3.2-1B', 'meta-llama/Llama-3.2-1B-Instruct'], 1.24, null, 'bf16', K128, 16, 2048, 8, 64),
  m('llama-3.2-3b', ['meta-llama/Llama-3.2-3B', 'meta-llama/Llama-3.2-3B-Instruct'], 3.21, null, 'bf16', K128, 28, 3072, 8, 128),
  m('llama-3.3-70b', ['meta-llama/Llama-3.3-70B-Instruct', 'deepseek-ai/DeepSeek-R1-Distill-Llama-70B'], 70.55, null, 'bf16', K128, 80, 8192, 8, 128),
  m('tinyllama-1.1b', ['TinyLlama/TinyLlama-1.1B-Chat-v1.0', 'TinyLlama/TinyLlama_v1.1'], 1.1, null, 'bf16', 2048, 22, 2048, 4, 64),
  // Mistral.
  m('mistral-7b', ['mistralai/Mistral-7B-v0.1', 'mistralai/Mistral-7B-Instruct-v0.2', 'mistralai/Mistral-7B-v0.3', 'HuggingFaceH4/zephyr-7b-beta'], 7.24, null, 'bf16', K32, 32, 4096, 8, 128),
  m('mistral-nemo-12b', ['mistralai/Mistral-Nemo-Base-2407', 'mistralai/Mistral-Nemo-Instruct-2407'], 12.25, null, 'bf16', K128, 40, 5120, 8, 128),
  m('mistral-small-24b', ['mistralai/Mistral-Small-24B-Base-2501', 'mistralai/Mistral-Small-24B-Instruct-2501'], 23.57, null, 'bf16', K32, 40, 5120, 8, 128),
  m('mistral-large-123b', ['mistralai/Mistral-Large-Instruct-2407', 'mistralai/Mistral-Large-Instruct-2411'], 122.6, null, 'bf16', K128, 88, 12288, 8, 128),
  m('mixtral-8x7b', ['mistralai/Mixtral-8x7B-v0.1', 'mistralai/Mixtral-8x7B-Instruct-v0.1'], 46.7, 12.9, 'bf16', K32, 32, 4096, 8, 128, [8, 2]),
  m('mixtral-8x22b', ['mistralai/Mixtral-8x22B-v0.1', 'mistralai/Mixtral-8x22B-Instruct-v0.1'], 140.6, 39.1, 'bf16', 65536, 56, 6144, 8, 128, [8, 2]),
  // Qwen.
  m('qwen1.5-7b', ['Qwen/Qwen1.5-7B', 'Qwen/Qwen1.5-7B-Chat'], 7.72, null, 'bf16', K32, 32, 4096, 32, 128),
  m('qwen1.5-14b', ['Qwen/Qwen1.5-14B', 'Qwen/Qwen1.5-14B-Chat'], 14.17, null, 'bf16', K32, 40, 5120, 40, 128),
  m('qwen1.5-32b', ['Qwen/Qwen1.5-32B', 'Qwen/Qwen1.5-32B-Chat'], 32.51, null, 'bf16', K32, 64, 5120, 8, 128),
  m('qwen1.5-72b', ['Qwen/Qwen1.5-72B', 'Qwen/Qwen1.5-72B-Chat'], 72.29, null, 'bf16', K32, 80, 8192, 64, 128),
  m('qwen2-0.5b', ['Qwen/Qwen2-0.5B', 'Qwen/Qwen2-0.5B-Instruct'], 0.49, null, 'bf16', K32, 24, 896, 2, 64),
  m('qwen2-1.5b', ['Qwen/Qwen2-1.5B', 'Qwen/Qwen2-1.5B-Instruct'], 1.54, null, 'bf16', K32, 28, 1536, 2, 128),
  m('qwen2-7b', ['Qwen/Qwen2-7B', 'Qwen/Qwen2-7B-Instruct'], 7.62, null, 'bf16', K128, 28, 3584, 4, 128),
  m('qwen2-57b-a14b', ['Qwen/Qwen2-57B-A14B', 'Qwen/Qwen2-57B-A14B-Instruct'], 57.41, 14.2, 'bf16', K32, 28, 3584, 4, 128, [64, 8]),
  m('qwen2-72b', ['Qwen/Qwen2-72B', 'Qwen/Qwen2-72B-Instruct'], 72.71, null, 'bf16', K128, 80, 8192, 8, 128),
  m('qwen2.5-0.5b', ['Qwen/Qwen2.5-0.5B', 'Qwen/Qwen2.5-0.5B-Instruct'], 0.49, null, 'bf16', K32, 24, 896, 2, 64),
  m('qwen2.5-1.5b', ['Qwen/Qwen2.5-1.5B', 'Qwen/Qwen2.5-1.5B-Instruct'], 1.54, null, 'bf16', K32, 28, 1536, 2, 128),
  m('qwen2.5-3b', ['Qwen/Qwen2.5-3B', 'Qwen/Qwen2.5-3B-Instruct'], 3.09, null, 'bf16', K32, 36, 2048, 2, 128),
  m('qwen2.5-7b', ['Qwen/Qwen2.5-7B', 'Qwen/Qwen2.5-7B-Instruct', 'Qwen/Qwen2.5-Coder-7B-Instruct', 'deepseek-ai/DeepSeek-R1-Distill-Qwen-7B'], 7.62, null, 'bf16', K128, 28, 3584, 4, 128),
  m('qwen2.5-14b', ['Qwen/Qwen2.5-14B', 'Qwen/Qwen2.5-14B-Instruct', 'deepseek-ai/DeepSeek-R1-Distill-Qwen-14B'], 14.77, null, 'bf16', K128, 48, 5120, 8, 128),
  m('qwen2.5-32b', ['Qwen/Qwen2.5-32B', 'Qwen/Qwen2.5-32B-Instruct', 'Qwen/Qwen2.5-Coder-32B-Instruct', 'Qwen/QwQ-32B', 'deepseek-ai/DeepSeek-R1-Distill-Qwen-32B'], 32.76, null, 'bf16', K128, 64, 5120, 8, 128),
  m('qwen2.5-72b', ['Qwen/Qwen2.5-72B', 'Qwen/Qwen2.5-72B-Instruct'], 72.71, null, 'bf16', K128, 80, 8192, 8, 128),
  m('qwen3-4b', ['Qwen/Qwen3-4B', 'Qwen/Qwen3-4B-Base'], 4.02, null, 'bf16', K32, 36, 2560, 8, 128),
  m('qwen3-8b', ['Qwen/Qwen3-8B', 'Qwen/Qwen3-8B-Base'], 8.19, null, 'bf16', K32, 36, 4096, 8, 128),
  m('qwen3-14b', ['Qwen/Qwen3-14B', 'Qwen/Qwen3-14B-Base'], 14.77, null, 'bf16', K32, 40, 5120, 8, 128),
  m('qwen3-32b', ['Qwen/Qwen3-32B'], 32.76, null, 'bf16', K32, 64, 5120, 8, 128),
  m('qwen3-30b-a3b', ['Qwen/Qwen3-30B-A3B', 'Qwen/Qwen3-30B-A3B-Instruct-2507'], 30.53, 3.35, 'bf16', K32, 48, 2048, 4, 128, [128, 8]),
  m('qwen3-235b-a22b', ['Qwen/Qwen3-235B-A22B', 'Qwen/Qwen3-235B-A22B-Instruct-2507'], 235.1, 22.2, 'bf16', K32, 94, 4096, 4, 128, [128, 8]),
  // Gemma.
  m('gemma-2b', ['google/gemma-2b', 'google/gemma-2b-it', 'google/gemma-1.1-2b-it'], 2.51, null, 'bf16', K8, 18, 2048, 1, 256),
  m('gemma-7b', ['google/gemma-7b', 'google/gemma-7b-it', 'google/gemma-1.1-7b-it'], 8.54, null, 'bf16', K8, 28, 3072, 16, 256),
  m('gemma-2-2b', ['google/gemma-2-2b', 'google/gemma-2-2b-it'], 2.61, null, 'bf16', K8, 26, 2304, 4, 256),
  m('gemma-2-9b', ['google/gemma-2-9b', 'google/gemma-2-9b-it'], 9.24, null, 'bf16', K8, 42, 3584, 8, 256),
  m('gemma-2-27b', ['google/gemma-2-27b', 'google/gemma-2-27b-it'], 27.23, null, 'bf16', K8, 46, 4608, 16, 128),
  m('gemma-3-1b', ['google/gemma-3-1b-pt', 'google/gemma-3-1b-it'], 1.0, null, 'bf16', K32, 26, 1152, 1, 256),
  m('gemma-3-4b', ['google/gemma-3-4b-pt', 'google/gemma-3-4b-it'], 4.3, null, 'bf16', K128, 34, 2560, 4, 256),
  m('gemma-3-12b', ['google/gemma-3-12b-pt', 'google/gemma-3-12b-it'], 12.19, null, 'bf16', K128, 48, 3840, 8, 256),
  m('gemma-3-27b', ['google/gemma-3-27b-pt', 'google/gemma-3-27b-it'], 27.43, null, 'bf16', K128, 62, 5376, 16, 128),
  // Phi.
  m('phi-2', ['microsoft/phi-2'], 2.78, null, 'fp16', 2048, 32, 2560, 32, 80),
  m('phi-3-mini', ['microsoft/Phi-3-mini-4k-instruct'], 3.82, null, 'bf16', K4, 32, 3072, 32, 96),
  m('phi-3-mini-128k', ['microsoft/Phi-3-mini-128k-instruct', 'microsoft/Phi-3.5-mini-instruct'], 3.82, null, 'bf16', K128, 32, 3072, 32, 96),
  m('phi-3-medium', ['microsoft/Phi-3-medium-4k-instruct'], 13.96, null, 'bf16', K4, 40, 5120, 10, 128),
  m('phi-3.5-moe', ['microsoft/Phi-3.5-MoE-instruct'], 41.87, 6.6, 'bf16', K128, 32, 4096, 8, 128, [16, 2]),
  m('phi-4', ['microsoft/phi-4'], 14.66, null, 'bf16', K16, 40, 5120, 10, 128),
  // DeepSeek (V2 and V3 cache one latent of 512 + 64 values per layer: one "head" of 576, halved for K and V).
  m('deepseek-llm-7b', ['deepseek-ai/deepseek-llm-7b-base', 'deepseek-ai/deepseek-llm-7b-chat'], 6.91, null, 'bf16', K4, 30, 4096, 32, 128),
  m('deepseek-llm-67b', ['deepseek-ai/deepseek-llm-67b-base', 'deepseek-ai/deepseek-llm-67b-chat'], 67.43, null, 'bf16', K4, 95, 8192, 8, 128),
  m('deepseek-coder-6.7b', ['deepseek-ai/deepseek-coder-6.7b-base', 'deepseek-ai/deepseek-coder-6.7b-instruct'], 6.74, null, 'bf16', K16, 32, 4096, 32, 128),
  m('deepseek-coder-33b', ['deepseek-ai/deepseek-coder-33b-base', 'deepseek-ai/deepseek-coder-33b-instruct'], 33.34, null, 'bf16', K16, 62, 7168, 8, 128),
  m('deepseek-v2-lite', ['deepseek-ai/DeepSeek-V2-Lite', 'deepseek-ai/DeepSeek-V2-Lite-Chat'], 15.71, 2.66, 'bf16', K32, 27, 2048, 1, 288, [64, 6]),
  m('deepseek-v3', ['deepseek-ai/DeepSeek-V3', 'deepseek-ai/DeepSeek-R1', 'deepseek-ai/DeepSeek-V3-0324'], 671.0, 37.0, 'fp8', K128, 61, 7168, 1, 288, [256, 8]),
  // Older and other open families.
  m('falcon-7b', ['tiiuae/falcon-7b', 'tiiuae/falcon-7b-instruct'], 6.92, null, 'bf16', 2048, 32, 4544, 1, 64),
  m('falcon-40b', ['tiiuae/falcon-40b', 'tiiuae/falcon-40b-instruct'], 41.84, null, 'bf16', 2048, 60, 8192, 8, 64),
  m('falcon-180b', ['tiiuae/falcon-180B', 'tiiuae/falcon-180B-chat'], 179.5, null, 'bf16', 2048, 80, 14848, 8, 64),
  m('bloom-560m', ['bigscience/bloom-560m'], 0.56, null, 'fp16', 2048, 24, 1024, 16, 64),
  m('bloom-1b7', ['bigscience/bloom-1b7'], 1.72, null, 'fp16', 2048, 24, 2048, 16, 128),
  m('bloom-3b', ['bigscience/bloom-3b'], 3.0, null, 'fp16', 2048, 30, 2560, 32, 80),
  m('bloom-7b1', ['bigscience/bloom-7b1', 'bigscience/bloomz-7b1'], 7.07, null, 'fp16', 2048, 30, 4096, 32, 128),
  m('bloom-176b', ['bigscience/bloom', 'bigscience/bloomz'], 176.2, null, 'bf16', 2048, 70, 14336, 112, 128),
  m('opt-1.3b', ['facebook/opt-1.3b'], 1.32, null, 'fp16', 2048, 24, 2048, 32, 64),
  m('opt-2.7b', ['facebook/opt-2.7b'], 2.65, null, 'fp16', 2048, 32, 2560, 32, 80),
  m('opt-6.7b', ['facebook/opt-6.7b'], 6.66, null, 'fp16', 2048, 32, 4096, 32, 128),
  m('opt-13b', ['facebook/opt-13b'], 12.85, null, 'fp16', 2048, 40, 5120, 40, 128),
  m('opt-30b', ['facebook/opt-30b'], 29.97, null, 'fp16', 2048, 48, 7168, 56, 128),
  m('opt-66b', ['facebook/opt-66b'], 65.7, null, 'fp16', 2048, 64, 9216, 72, 128),
  m('gpt-j-6b', ['EleutherAI/gpt-j-6b', 'EleutherAI/gpt-j-6B'], 6.05, null, 'fp16', 2048, 28, 4096, 16, 256),
  m('gpt-neox-20b', ['EleutherAI/gpt-neox-20b'], 20.55, null, 'fp16', 2048, 44, 6144, 64, 96),
  m('pythia-6.9b', ['EleutherAI/pythia-6.9b', 'EleutherAI/pythia-6.9b-deduped'], 6.86, null, 'fp16', 2048, 32, 4096, 32, 128),
  m('pythia-12b', ['EleutherAI/pythia-12b', 'EleutherAI/pythia-12b-deduped'], 11.85, null, 'fp16', 2048, 36, 5120, 40, 128),
  m('mpt-7b', ['mosaicml/mpt-7b', 'mosaicml/mpt-7b-instruct', 'mosaicml/mpt-7b-chat'], 6.65, null, 'bf16', 2048, 32, 4096, 32, 128),
  m('mpt-30b', ['mosaicml/mpt-30b', 'mosaicml/mpt-30b-instruct', 'mosaicml/mpt-30b-chat'], 29.96, null, 'bf16', K8, 48, 7168, 64, 112),
  m('starcoder-15b', ['bigcode/starcoder', 'bigcode/starcoderbase'], 15.52, null, 'bf16', K8, 40, 6144, 1, 128),
  m('starcoder2-3b', ['bigcode/starcoder2-3b'], 3.03, null, 'bf16', K16, 30, 3072, 2, 128),
  m('starcoder2-7b', ['bigcode/starcoder2-7b'], 7.17, null, 'bf16', K16, 32, 4608, 4, 128),
  m('starcoder2-15b', ['bigcode/starcoder2-15b', 'bigcode/starcoder2-15b-instruct-v0.1'], 15.96, null, 'bf16', K16, 40, 6144, 4, 128),
  m('yi-6b', ['01-ai/Yi-6B', '01-ai/Yi-6B-Chat'], 6.06, null, 'bf16', K4, 32, 4096, 4, 128),
  m('yi-34b', ['01-ai/Yi-34B', '01-ai/Yi-34B-Chat'], 34.39, null, 'bf16', K4, 60, 7168, 8, 128),
  m('baichuan2-7b', ['baichuan-inc/Baichuan2-7B-Base', 'baichuan-inc/Baichuan2-7B-Chat'], 7.51, null, 'bf16', K4, 32, 4096, 32, 128),
  m('baichuan2-13b', ['baichuan-inc/Baichuan2-13B-Base', 'baichuan-inc/Baichuan2-13B-Chat'], 13.9, null, 'bf16', K4, 40, 5120, 40, 128),
  m('internlm2-7b', ['internlm/internlm2-7b', 'internlm/internlm2-chat-7b'], 7.74, null, 'bf16', K32, 32, 4096, 8, 128),
  m('internlm2-20b', ['internlm/internlm2-20b', 'internlm/internlm2-chat-20b'], 19.86, null, 'bf16', K32, 48, 6144, 8, 128),
  m('chatglm3-6b', ['THUDM/chatglm3-6b'], 6.24, null, 'fp16', K8, 28, 4096, 2, 128),
  m('olmo-7b', ['allenai/OLMo-7B', 'allenai/OLMo-7B-hf'], 6.89, null, 'bf16', 2048, 32, 4096, 32, 128),
  m('olmo-2-7b', ['allenai/OLMo-2-1124-7B', 'allenai/OLMo-2-1124-7B-Instruct'], 7.3, null, 'bf16', K4, 32, 4096, 32, 128),
  m('command-r-35b', ['CohereForAI/c4ai-command-r-v01'], 34.98, null, 'fp16', K128, 40, 8192, 64, 128),
  m('command-r-plus-104b', ['CohereForAI/c4ai-command-r-plus'], 103.8, null, 'fp16', K128, 64, 12288, 8, 128),
  m('dbrx-132b', ['databricks/dbrx-base', 'databricks/dbrx-instruct'], 131.6, 36.0, 'bf16', K32, 40, 6144, 8, 128, [16, 4]),
  m('smollm2-1.7b', ['HuggingFaceTB/SmolLM2-1.7B', 'HuggingFaceTB/SmolLM2-1.7B-Instruct'], 1.71, null, 'bf16', K8, 24, 2048, 32, 64),
  m('granite-3-8b', ['ibm-granite/granite-3.0-8b-base', 'ibm-granite/granite-3.0-8b-instruct'], 8.17, null, 'bf16', K4, 40, 4096, 8, 128),
  m('decilm-7b', ['Deci/DeciLM-7B', 'Deci/DeciLM-7B-instruct'], 7.04, null, 'bf16', K8, 32, 4096, 4, 128),
  m('aquila-7b', ['BAAI/Aquila-7B'], 7.26, null, 'fp16', 2048, 32, 4096, 32, 128),
  // MXFP4 experts (about 4.25 bits a weight), taken as int4.
  m('gpt-oss-20b', ['openai/gpt-oss-20b'], 20.91, 3.61, 'int4', K128, 24, 2880, 8, 64, [32, 4]),
  m('gpt-oss-120b', ['openai/gpt-oss-120b'], 116.83, 5.13, 'int4', K128, 36, 2880, 8, 64, [128, 4]),
];

/** `meta-llama/Llama-2-7b-chat-hf` and `llama-2-7b` are one model: the org prefix and case do not matter. */
export function modelKey(name: string): string {
  const bare = name.includes('/') ? name.slice(name.lastIndexOf('/') + 1) : name;
  return bare.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^-|-$/g, '');
}

/** Words that tell a fine-tune, a chat variant or a quantised copy from its base, never another architecture. */
const VARIANT = /-(instruct|chat|it|hf|base|pt|awq|gptq|gguf|exl2|bnb|4bit|8bit|int4|int8|fp8|fp16|bf16|w4a16|w8a8|v\d+(\.\d+)*)$/;

/** `Qwen/Qwen2.5-7B-Instruct-AWQ` → `qwen2.5-7b`: variant suffixes dropped one at a time. */
function baseModelKey(name: string): string {
  let key = modelKey(name);
  for (let prev = ''; prev !== key;) { prev = key; key = key.replace(VARIANT, ''); }
  return key;
}

export type ModelSpecTable = NameRegistry<ModelSpec>;

export function createModelSpecTable(specs: readonly ModelSpec[] = MODEL_SPECS): ModelSpecTable {
  return new NameRegistry(specs, 'UNKNOWN_MODEL', 'model', modelKey, baseModelKey);
}

/** Bytes a KV cache holds per token of context for this model at `bytesPerValue` (2 for fp16/bf16). */
export function kvBytesPerToken(m: ModelSpec, bytesPerValue = 2): number {
  return 2 * m.layers * m.kvHeads * m.headDim * bytesPerValue;
}
