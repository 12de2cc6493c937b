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
  vllm: { a: 0.810, b: 0.127, c: 0.295, sigma: 0.695 },
  'tensorrt-llm': { a: 0.238, b: 0.036, c: 0.162, sigma: 0.643 },
  'llama.cpp': { a: 1.970, b: -0.168, c: 0.729, sigma: 0.880 },
  'deepspeed-mii': { a: 0.771, b: 0.017, c: 0.102, sigma: 0.455 },
  deepspeed: { a: 0.153, b: 0.039, c: 0.410, sigma: 0.331 },
  tgi: { a: 0.810, b: 0.127, c: 0.295, sigma: 0.695 },
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
