import { createHash } from 'node:crypto';
import { parseCsv } from '../../lib/csv.js';
import { gpuTimeCostMicros, microsToUsd, PricingError, type Catalog, type Precision } from '../../pricing/index.js';
import { infeasibleReason } from '../../features/index.js';
import { RUN_RECORD_SCHEMA_VERSION, type RunRecord } from '../../stream/index.js';
import type { ImportResult, Rejection } from './report.js';

export const LLM_INFERENCE_BENCH_COLUMNS = [
  'Hardware',
  'Num of Hardware',
  'Framework',
  'Model',
  'Input Output Length',
  'Batch Size',
  'Latency',
] as const;

/**
 * The main table's columns, or a side table's variants of them: separate `Input Length` and `Output Length`
 * (the time-to-first-token table), `latency` in lower case and `kv_cache_dtype` naming the weights' precision
 * (the quantisation tables).
 */
export function isLlmInferenceBenchHeader(header: readonly string[]): boolean {
  const has = (c: string) => header.includes(c);
  return (
    ['Hardware', 'Num of Hardware', 'Framework', 'Model', 'Batch Size'].every(has) &&
    (has('Input Output Length') || (has('Input Length') && has('Output Length'))) &&
    (has('Latency') || has('latency'))
  );
}

const dtype = (d: string | undefined) =>
  d === undefined
    ? undefined
    : d === 'fp8'
      ? 'fp8'
      : d.startsWith('int8')
        ? 'int8'
        : d.startsWith('int4')
          ? 'int4'
          : '16-bit';

/**
 * The precision a side-table row ran at (`Weight = fp8, KV Cache = fp8` → fp8; `fp16` and `full_prec` → the
 * model's own), or why it cannot be a plan: a plan names one precision, so a KV cache kept at another is not one.
 */
function rowPrecision(kvCacheDtype: string | undefined, own: Precision): Precision | string {
  if (kvCacheDtype === undefined) return own;
  const w = dtype(/Weight = (\w+)/.exec(kvCacheDtype)?.[1]),
    kv = dtype(/KV Cache = (\w+)/.exec(kvCacheDtype)?.[1]);
  if (!w || w !== kv)
    return `kv_cache_dtype '${kvCacheDtype}': weights and KV cache at different precisions, which a plan cannot say`;
  return w === '16-bit' ? own : (w as Precision);
}

/** Why a side-table row is not a run a plan describes, or undefined. */
function unlike(v: Record<string, string>): string | undefined {
  if (v['Parallelism Type'] !== undefined && !['Tensor Parallelism', 'TP'].includes(v['Parallelism Type']))
    return `Parallelism Type '${v['Parallelism Type']}': plans run tensor parallel (llama.cpp splits layers)`;
  if (v['KV Cache'] !== undefined && v['KV Cache'] !== 'With KV Cache')
    return `KV Cache '${v['KV Cache']}': every engine a plan names keeps a KV cache`;
  return undefined;
}

/** The study's engine names to Lutflow's framework names. */
const FRAMEWORKS: Record<string, string> = {
  vllm: 'vllm',
  'tensorrt-llm': 'tensorrt-llm',
  'llama.cpp': 'llama.cpp',
  'deepspeed-mii': 'deepspeed-mii',
  deepspeed: 'deepspeed',
  sambaflow: 'sambaflow',
};

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
  if (v === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    return `${column} '${v}' is not a positive ${integer ? 'integer' : 'number'}`;
  return n;
}

/**
 * LLM-Inference-Bench `All_results.csv`: one row is one batch run of `Batch Size` requests, each with
 * `Input Output Length` prompt tokens and as many generated tokens; GPU-seconds = Latency x Num of Hardware.
 * The study's side tables import too: time to first token (`Input Length`, `Output Length` 1: prefill alone)
 * and quantisation (`kv_cache_dtype` names the weights' precision; the rows whose value lost its quotes, so
 * that its comma split it in two, are put back together). Rows no plan can describe (pipeline parallelism,
 * no KV cache, a KV cache at another precision than the weights) are rejected with the reason.
 */
export function importLlmInferenceBench(text: string, opts: LlmInferenceBenchOptions): ImportResult {
  const { catalog } = opts;
  const what = opts.source ?? 'LLM-Inference-Bench CSV';
  const { header, rows } = parseCsv(text, [], what);
  if (!isLlmInferenceBenchHeader(header)) parseCsv(text, LLM_INFERENCE_BENCH_COLUMNS, what);
  const launched = Date.parse(opts.launchedAt ?? '2024-06-01T00:00:00Z');
  const records: RunRecord[] = [];
  const rejected: Rejection[] = [];
  for (const { line, values: v } of rows) {
    const reject = (reason: string) => rejected.push({ line, reason });
    if (v.kv_cache_dtype?.startsWith('Weight =') && v.latency?.startsWith('KV Cache')) {
      Object.assign(v, { kv_cache_dtype: `${v.kv_cache_dtype}, ${v.latency}`, latency: v.throughput });
    }
    const count = positive(v['Num of Hardware'], 'Num of Hardware', true);
    const inLen =
      v['Input Output Length'] === undefined
        ? positive(v['Input Length'], 'Input Length', true)
        : positive(v['Input Output Length'], 'Input Output Length', true);
    const outLen = v['Input Output Length'] === undefined ? positive(v['Output Length'], 'Output Length', true) : inLen;
    const batch = positive(v['Batch Size'], 'Batch Size', true);
    const latency =
      v.Latency === undefined ? positive(v.latency, 'latency', false) : positive(v.Latency, 'Latency', false);
    const bad = [count, inLen, outLen, batch, latency].find((x) => typeof x === 'string');
    if (bad !== undefined) {
      reject(bad as string);
      continue;
    }
    const [n, prompt, out, b, lat] = [count, inLen, outLen, batch, latency] as number[];
    const gpu = catalog.gpus.find(v.Hardware);
    if (!gpu) {
      reject(`unknown Hardware '${v.Hardware}'; closest known: ${catalog.gpus.closest(v.Hardware).join(', ')}`);
      continue;
    }
    const model = catalog.models.find(v.Model);
    if (!model) {
      reject(`unknown Model '${v.Model}'; closest known: ${catalog.models.closest(v.Model).join(', ')}`);
      continue;
    }
    const framework = FRAMEWORKS[v.Framework.toLowerCase()];
    if (!framework) {
      reject(`unknown Framework '${v.Framework}'`);
      continue;
    }
    const precision = rowPrecision(v.kv_cache_dtype, model.defaultPrecision);
    const other = unlike(v) ?? (precision.includes(' ') ? precision : undefined);
    if (other) {
      reject(other);
      continue;
    }
    const plan = {
      kind: 'self_hosted' as const,
      model: model.id,
      gpu_type: gpu.id,
      gpu_count: n,
      framework,
      precision: precision as Precision,
      batch_size: b,
      requests: b,
      prompt_tokens: prompt,
      max_output_tokens: out,
    };
    const infeasible = infeasibleReason(plan, catalog);
    if (infeasible) {
      reject(infeasible);
      continue;
    }
    let quote;
    try {
      quote = catalog.gpuPrices.quote(gpu.id);
    } catch (err) {
      if (err instanceof PricingError) {
        reject(err.message);
        continue;
      }
      throw err;
    }
    const gpuSeconds = lat * n;
    const digest = createHash('sha1')
      .update(`${line}|${Object.values(v).join('|')}`)
      .digest('hex')
      .slice(0, 10);
    records.push({
      schema_version: RUN_RECORD_SCHEMA_VERSION,
      run_id: `llmib-${line}-${digest}`,
      tenant_id: opts.tenantId ?? 'llm-inference-bench',
      launched_at: new Date(launched).toISOString(),
      plan,
      context: {
        prices: {
          gpu_usd_per_hour: microsToUsd(quote.microsPerGpuHour),
          source: quote.price.source,
          as_of: quote.price.asOf,
        },
      },
      outcome: {
        ended_at: new Date(launched + Math.round(lat * 1000)).toISOString(),
        status: 'succeeded',
        gpu_seconds: gpuSeconds,
        input_tokens: b * prompt,
        output_tokens: b * out,
        cost_usd_micros: gpuTimeCostMicros(Math.round(gpuSeconds * 1000), quote.microsPerGpuHour),
      },
    });
  }
  return { records, rowsTaken: records.length, rejected };
}
