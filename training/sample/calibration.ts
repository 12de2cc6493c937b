import type { EfficiencyFit } from './calibrate.js';

/**
 * The sample generator's few parameters, typed from the real data (re-derived and compared in
 * test/training/sample.test.ts, so a drift in the data or the roofline shows):
 *
 * EFFICIENCY — `fitEfficiency` on `lutflow import llm-inference-bench ../shared/data/llm_inference_bench/All_results.csv`
 * (3,922 runs): log(measured GPU-seconds / roofline) = a + b·log2(batch) + c·log2(GPUs), residual sd sigma.
 * TGI is not in the study; it takes vLLM's fit (both are continuous-batching engines).
 *
 * AZURE_* — mean and sd of ln(tokens) over every request of `../shared/data/azure_llm_traces_2023/`
 * (code: 6,173 requests; conversation: 13,556), ln(max(1, x)).
 */
export const EFFICIENCY: Readonly<Record<string, Omit<EfficiencyFit, 'runs'>>> = {
  vllm: { a: 0.909, b: 0.102, c: 0.174, sigma: 0.622 },
  'tensorrt-llm': { a: 0.296, b: 0.011, c: 0.093, sigma: 0.593 },
  'llama.cpp': { a: 2.139, b: -0.203, c: 0.037, sigma: 0.881 },
  'deepspeed-mii': { a: 0.934, b: -0.029, c: 0.018, sigma: 0.419 },
  deepspeed: { a: 0.199, b: 0.033, c: 0.271, sigma: 0.243 },
  tgi: { a: 0.909, b: 0.102, c: 0.174, sigma: 0.622 },
};

export interface LogNormal { readonly mu: number; readonly sigma: number }

export const AZURE_PROMPT: Readonly<Record<'code' | 'conv', LogNormal>> = {
  code: { mu: 7.002, sigma: 1.348 },
  conv: { mu: 6.664, sigma: 0.988 },
};

export const AZURE_OUTPUT: Readonly<Record<'code' | 'conv', LogNormal>> = {
  code: { mu: 2.776, sigma: 0.832 },
  conv: { mu: 4.951, sigma: 0.869 },
};
