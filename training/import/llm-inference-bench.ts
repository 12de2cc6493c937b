import { createHash } from 'node:crypto';
import { parseCsv } from '../../lib/csv.js';
import { gpuTimeCostMicros, microsToUsd, PricingError, type Catalog } from '../../pricing/index.js';
import { infeasibleReason } from '../../features/index.js';
import { RUN_RECORD_SCHEMA_VERSION, type RunRecord } from '../../stream/index.js';
import type { ImportResult, Rejection } from './report.js';

export const LLM_INFERENCE_BENCH_COLUMNS = ['Hardware', 'Num of Hardware', 'Framework', 'Model', 'Input Output Length', 'Batch Size', 'Latency'] as const;

/** The study's engine names to Lutflow's framework names. */
const FRAMEWORKS: Record<string, string> = { vllm: 'vllm', 'tensorrt-llm': 'tensorrt-llm', 'llama.cpp': 'llama.cpp', 'deepspeed-mii': 'deepspeed-mii', deepspeed: 'deepspeed', sambaflow: 'sambaflow' };

export interface LlmInferenceBenchOptions {
  readonly catalog: Catalog;
  readonly tenantId?: string;
  /**
   * The table has no times: every run launches at this one instant, so no run sees another's outcome
   * and the history and time features carry nothing made up.
   */
  readonly launchedAt?: string;
  readonly source?: string;
}

function positive(v: string, column: string, integer: boolean): number | string {
  const n = Number(v);
  if (v === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) return `${column} '${v}' is not a positive ${integer ? 'integer' : 'number'}`;
  return n;
}

/**
 * LLM-Inference-Bench `All_results.csv`: one row is one batch run of `Batch Size` requests, each with
 * `Input Output Length` prompt tokens and as many generated tokens; GPU-seconds = Latency x Num of Hardware.
 */
export function importLlmInferenceBench(text: string, opts: LlmInferenceBenchOptions): ImportResult {
  const { catalog } = opts;
  const { rows } = parseCsv(text, LLM_INFERENCE_BENCH_COLUMNS, opts.source ?? 'LLM-Inference-Bench CSV');
  const launched = Date.parse(opts.launchedAt ?? '2024-06-01T00:00:00Z');
  const records: RunRecord[] = [];
  const rejected: Rejection[] = [];
  for (const { line, values: v } of rows) {
    const reject = (reason: string) => rejected.push({ line, reason });
    const count = positive(v['Num of Hardware'], 'Num of Hardware', true);
    const ioLen = positive(v['Input Output Length'], 'Input Output Length', true);
    const batch = positive(v['Batch Size'], 'Batch Size', true);
    const latency = positive(v.Latency, 'Latency', false);
    const bad = [count, ioLen, batch, latency].find((x) => typeof x === 'string');
    if (bad !== undefined) { reject(bad as string); continue; }
    const [n, len, b, lat] = [count, ioLen, batch, latency] as number[];
    const gpu = catalog.gpus.find(v.Hardware);
    if (!gpu) { reject(`unknown Hardware '${v.Hardware}'; closest known: ${catalog.gpus.closest(v.Hardware).join(', ')}`); continue; }
    const model = catalog.models.find(v.Model);
    if (!model) { reject(`unknown Model '${v.Model}'; closest known: ${catalog.models.closest(v.Model).join(', ')}`); continue; }
    const framework = FRAMEWORKS[v.Framework.toLowerCase()];
    if (!framework) { reject(`unknown Framework '${v.Framework}'`); continue; }
    const plan = { kind: 'self_hosted' as const, model: model.id, gpu_type: gpu.id, gpu_count: n, framework, precision: model.defaultPrecision, batch_size: b, requests: b, prompt_tokens: len, max_output_tokens: len };
    const infeasible = infeasibleReason(plan, catalog);
    if (infeasible) { reject(infeasible); continue; }
    let quote;
    try {
      quote = catalog.gpuPrices.quote(gpu.id);
    } catch (err) {
      if (err instanceof PricingError) { reject(err.message); continue; }
      throw err;
    }
    const gpuSeconds = lat * n;
    const digest = createHash('sha1').update(`${line}|${Object.values(v).join('|')}`).digest('hex').slice(0, 10);
    records.push({
      schema_version: RUN_RECORD_SCHEMA_VERSION,
      run_id: `llmib-${line}-${digest}`,
      tenant_id: opts.tenantId ?? 'llm-inference-bench',
      launched_at: new Date(launched).toISOString(),
      plan,
      context: { prices: { gpu_usd_per_hour: microsToUsd(quote.microsPerGpuHour), source: quote.price.source, as_of: quote.price.asOf } },
      outcome: {
        ended_at: new Date(launched + Math.round(lat * 1000)).toISOString(),
        status: 'succeeded',
        gpu_seconds: gpuSeconds,
        input_tokens: b * len,
        output_tokens: b * len,
        cost_usd_micros: gpuTimeCostMicros(Math.round(gpuSeconds * 1000), quote.microsPerGpuHour),
      },
    });
  }
  return { records, rowsTaken: records.length, rejected };
}
