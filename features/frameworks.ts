/** Codes for `framework_code`. Stable: a code, once given, keeps its meaning within a spec version. */
export const FRAMEWORK_CODES: Readonly<Record<string, number>> = {
  api: 0,
  vllm: 1,
  'tensorrt-llm': 2,
  'llama.cpp': 3,
  'deepspeed-mii': 4,
  deepspeed: 5,
  tgi: 6,
  sglang: 7,
  sambaflow: 8,
  other: 99,
};

const cache = new Map<string, number>();

/** `vLLM`, `TensorRT-LLM`, `text-generation-inference` → their code; an unlisted engine is `other`. */
export function frameworkCode(name: string | undefined): number {
  if (name === undefined) return NaN;
  let code = cache.get(name);
  if (code === undefined) {
    const key = name.toLowerCase().replace(/[\s_]+/g, '-').replace(/^text-generation-inference$/, 'tgi').replace(/^trt-llm$/, 'tensorrt-llm');
    code = FRAMEWORK_CODES[key] ?? FRAMEWORK_CODES.other;
    cache.set(name, code);
  }
  return code;
}

/** Engines that split a model's layers across devices instead of tensor-parallel groups: no per-token speed-up. */
const LAYER_SPLIT = new Set([FRAMEWORK_CODES['llama.cpp']]);

export function isLayerSplit(code: number): boolean {
  return LAYER_SPLIT.has(code);
}

/** Codes for `gpu_vendor_code`: whose software stack runs the accelerator. */
export const VENDOR_CODES: Readonly<Record<string, number>> = { nvidia: 0, amd: 1, intel: 2, sambanova: 3 };
