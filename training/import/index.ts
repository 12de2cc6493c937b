export { importLlmInferenceBench, isLlmInferenceBenchHeader, LLM_INFERENCE_BENCH_COLUMNS, type LlmInferenceBenchOptions } from './llm-inference-bench.js';
export { importAzureTrace, AZURE_TRACE_COLUMNS, type AzureTraceOptions } from './azure-trace.js';
export { summarise, type ImportResult, type Rejection } from './report.js';
