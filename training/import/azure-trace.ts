import { basename } from 'node:path';
import { parseCsv } from '../../lib/csv.js';
import { microsToUsd, tokenCostMicros, type Catalog } from '../../pricing/index.js';
import { RUN_RECORD_SCHEMA_VERSION, type RunRecord } from '../../stream/index.js';
import type { ImportResult, Rejection } from './report.js';

export const AZURE_TRACE_COLUMNS = ['TIMESTAMP', 'ContextTokens', 'GeneratedTokens'] as const;

export interface AzureTraceOptions {
  readonly catalog: Catalog;
  /** The API model the requests are priced as (the traces carry no model name). */
  readonly model: string;
  readonly requestsPerRun: number;
  /** Output limit per request in the plan; the model's own limit by default. */
  readonly maxOutputTokens?: number;
  readonly tenantId?: string;
  readonly source?: string;
}

/** "2023-11-16 18:17:03.9799600" (UTC, up to 7 fractional digits) to epoch milliseconds. */
function parseTraceTime(s: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?$/.exec(s);
  if (!m) return NaN;
  return Date.parse(`${m[1]}T${m[2]}Z`) + Number(`0.${m[3] ?? '0'}`) * 1000;
}

const nonNegInt = (s: string) => (/^\d+$/.test(s) ? Number(s) : NaN);

/**
 * Azure LLM inference traces: consecutive requests, N at a time, become one API run of N requests,
 * priced at the model's token prices. Requests that do not fit the model are rejected, not clipped.
 */
export function importAzureTrace(text: string, opts: AzureTraceOptions): ImportResult {
  const { catalog } = opts;
  if (!Number.isInteger(opts.requestsPerRun) || opts.requestsPerRun < 1) throw new RangeError(`requestsPerRun: expected a positive integer, got ${opts.requestsPerRun}`);
  const price = catalog.tokenPrices.get(opts.model, '--model');
  const maxOut = opts.maxOutputTokens ?? price.maxOutputTokens;
  if (!Number.isInteger(maxOut) || maxOut < 1) throw new RangeError(`maxOutputTokens: expected a positive integer, got ${maxOut}`);
  const source = opts.source ?? 'azure-trace';
  const { rows } = parseCsv(text, AZURE_TRACE_COLUMNS, source);
  const rejected: Rejection[] = [];
  const records: RunRecord[] = [];
  let group: { line: number; t: number; ctx: number; gen: number }[] = [];
  let lastT = -Infinity;

  const flush = () => {
    const first = group[0], last = group[group.length - 1];
    const input = group.reduce((a, g) => a + g.ctx, 0);
    const output = group.reduce((a, g) => a + g.gen, 0);
    records.push({
      schema_version: RUN_RECORD_SCHEMA_VERSION,
      run_id: `azure-${basename(source).replace(/\.csv$/i, '')}-${first.line}`,
      tenant_id: opts.tenantId ?? 'azure-trace',
      launched_at: new Date(first.t).toISOString(),
      plan: { kind: 'api', provider: price.provider, model: price.id, batch_size: 1, requests: group.length, prompt_tokens: Math.round(input / group.length), max_output_tokens: maxOut },
      context: { prices: { input_usd_per_mtok: microsToUsd(price.input), output_usd_per_mtok: microsToUsd(price.output), source: price.source, as_of: price.asOf } },
      outcome: {
        ended_at: new Date(last.t).toISOString(),
        status: 'succeeded',
        input_tokens: input,
        output_tokens: output,
        cost_usd_micros: tokenCostMicros(input, price.input) + tokenCostMicros(output, price.output),
      },
    });
    group = [];
  };

  for (const { line, values: v } of rows) {
    const t = parseTraceTime(v.TIMESTAMP);
    const ctx = nonNegInt(v.ContextTokens), gen = nonNegInt(v.GeneratedTokens);
    if (Number.isNaN(t)) { rejected.push({ line, reason: `TIMESTAMP '${v.TIMESTAMP}' is not 'YYYY-MM-DD HH:MM:SS[.fraction]'` }); continue; }
    if (Number.isNaN(ctx)) { rejected.push({ line, reason: `ContextTokens '${v.ContextTokens}' is not a non-negative integer` }); continue; }
    if (Number.isNaN(gen)) { rejected.push({ line, reason: `GeneratedTokens '${v.GeneratedTokens}' is not a non-negative integer` }); continue; }
    if (t < lastT) { rejected.push({ line, reason: `TIMESTAMP goes back in time (${v.TIMESTAMP})` }); continue; }
    if (ctx + gen > price.contextWindow) { rejected.push({ line, reason: `infeasible: ${ctx} + ${gen} tokens exceed the context window of ${price.id} (${price.contextWindow})` }); continue; }
    if (gen > maxOut) { rejected.push({ line, reason: `GeneratedTokens ${gen} exceed max output tokens ${maxOut}` }); continue; }
    lastT = t;
    group.push({ line, t, ctx, gen });
    if (group.length === opts.requestsPerRun) flush();
  }
  for (const g of group) rejected.push({ line: g.line, reason: `trailing request: the last ${group.length} requests do not fill a run of ${opts.requestsPerRun}` });
  return { records, rowsTaken: records.length * opts.requestsPerRun, rejected };
}
