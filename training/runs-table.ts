import { appendToDeltaTable, field, readDeltaTable, type AppendOptions, type AppendResult, type DeltaRow, type DeltaSchema } from '../delta/index.js';
import { ContractError, RUN_RECORD_SCHEMA_VERSION, validate, type RunRecord } from '../stream/index.js';

/**
 * The `pcpo_runs` Delta table: `lut.pcpo-features` run records flattened one column per field, the layout
 * Tableflow lands the topic in (nested plan/context/outcome become prefixed columns).
 */
export const RUNS_TABLE_SCHEMA: DeltaSchema = {
  type: 'struct',
  fields: [
    field('schema_version', 'integer', false),
    field('run_id', 'string', false),
    field('tenant_id', 'string', false),
    field('launched_at', 'timestamp', false),
    field('kind', 'string', false),
    field('provider', 'string'),
    field('model', 'string', false),
    field('gpu_type', 'string'),
    field('gpu_count', 'integer'),
    field('framework', 'string'),
    field('precision', 'string'),
    field('batch_size', 'integer', false),
    field('requests', 'integer', false),
    field('prompt_tokens', 'long', false),
    field('max_output_tokens', 'long', false),
    field('spot', 'boolean'),
    field('region', 'string'),
    field('price_gpu_usd_per_hour', 'double'),
    field('price_input_usd_per_mtok', 'double'),
    field('price_output_usd_per_mtok', 'double'),
    field('price_source', 'string'),
    field('price_as_of', 'string'),
    field('ended_at', 'timestamp'),
    field('status', 'string'),
    field('gpu_seconds', 'double'),
    field('input_tokens', 'long'),
    field('output_tokens', 'long'),
    field('cost_usd_micros', 'long'),
  ],
};

export function recordToRow(r: RunRecord): DeltaRow {
  const p = r.plan, prices = r.context?.prices, o = r.outcome;
  return {
    schema_version: r.schema_version, run_id: r.run_id, tenant_id: r.tenant_id, launched_at: r.launched_at,
    kind: p.kind, provider: p.provider ?? null, model: p.model, gpu_type: p.gpu_type ?? null, gpu_count: p.gpu_count ?? null,
    framework: p.framework ?? null, precision: p.precision ?? null, batch_size: p.batch_size, requests: p.requests,
    prompt_tokens: p.prompt_tokens, max_output_tokens: p.max_output_tokens, spot: p.spot ?? null, region: p.region ?? null,
    price_gpu_usd_per_hour: prices?.gpu_usd_per_hour ?? null, price_input_usd_per_mtok: prices?.input_usd_per_mtok ?? null,
    price_output_usd_per_mtok: prices?.output_usd_per_mtok ?? null, price_source: prices?.source ?? null, price_as_of: prices?.as_of ?? null,
    ended_at: o?.ended_at ?? null, status: o?.status ?? null, gpu_seconds: o?.gpu_seconds ?? null,
    input_tokens: o?.input_tokens ?? null, output_tokens: o?.output_tokens ?? null, cost_usd_micros: o?.cost_usd_micros ?? null,
  };
}

/** Drops absent (null) fields so the record matches the contract's optional fields. */
function present<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as T;
}

export function rowToRecord(row: DeltaRow, where: string): RunRecord {
  const s = row as Record<string, never>;
  const prices = present({ gpu_usd_per_hour: s.price_gpu_usd_per_hour, input_usd_per_mtok: s.price_input_usd_per_mtok, output_usd_per_mtok: s.price_output_usd_per_mtok, source: s.price_source, as_of: s.price_as_of });
  const record = present({
    schema_version: s.schema_version ?? RUN_RECORD_SCHEMA_VERSION,
    run_id: s.run_id, tenant_id: s.tenant_id, launched_at: s.launched_at,
    plan: present({ kind: s.kind, provider: s.provider, model: s.model, gpu_type: s.gpu_type, gpu_count: s.gpu_count, framework: s.framework, precision: s.precision, batch_size: s.batch_size, requests: s.requests, prompt_tokens: s.prompt_tokens, max_output_tokens: s.max_output_tokens, spot: s.spot, region: s.region }),
    context: Object.keys(prices).length ? { prices } : null,
    outcome: s.ended_at === null ? null : present({ ended_at: s.ended_at, status: s.status, gpu_seconds: s.gpu_seconds, input_tokens: s.input_tokens, output_tokens: s.output_tokens, cost_usd_micros: s.cost_usd_micros }),
  });
  const v = validate('lut.pcpo-features', record);
  if (!v.ok) throw new ContractError('lut.pcpo-features', v.errors, ` at ${where}`);
  return v.value;
}

export async function readRunRecords(tablePath: string, version?: number): Promise<{ version: number; records: RunRecord[] }> {
  const { rows, version: v } = await readDeltaTable(tablePath, { version });
  return { version: v, records: rows.map((row, i) => rowToRecord(row, `${tablePath} row ${i} (run_id ${String(row.run_id)})`)) };
}

export async function appendRunRecords(tablePath: string, records: readonly RunRecord[], opts: Omit<AppendOptions, 'schema' | 'tableName'> = {}): Promise<AppendResult> {
  return appendToDeltaTable(tablePath, records.map(recordToRow), { schema: RUNS_TABLE_SCHEMA, tableName: 'pcpo_runs', ...opts });
}
