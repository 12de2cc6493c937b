import { isoFromMicros, type DeltaRow } from '../../delta/index.js';
import { RUNS_TABLE_SCHEMA } from '../runs-table.js';
import { SourceError } from './errors.js';

/** How one SQL engine names a table at a version and turns a timestamp into microseconds since the epoch. */
export interface SqlDialect {
  /** A FROM item: the table as of `version`. */
  table(version: number): string;
  micros(column: string): string;
}

const TIMESTAMPS = new Set(RUNS_TABLE_SCHEMA.fields.filter((f) => f.type === 'timestamp').map((f) => f.name));

/**
 * The runs table's columns; timestamps travel as BIGINT microseconds, because drivers hand timestamps back
 * as JavaScript Dates, which hold milliseconds only.
 */
function columns(d: SqlDialect): string {
  return RUNS_TABLE_SCHEMA.fields.map((f) => (TIMESTAMPS.has(f.name) ? `${d.micros(f.name)} AS ${f.name}` : f.name)).join(', ');
}

/** Every row at `version`, or only those whose run id was not in the table at `since`. */
export function pullQuery(d: SqlDialect, version: number, since?: number): string {
  const from = `SELECT ${columns(d)} FROM ${d.table(version)}`;
  return since === undefined ? from : `${from} WHERE run_id NOT IN (SELECT run_id FROM ${d.table(since)})`;
}

export const countQuery = (d: SqlDialect, version: number) => `SELECT count(*) AS n FROM ${d.table(version)}`;

/** A 64-bit integer from a driver (bigint or number) as an exact JS number, or a typed error. */
export function exactNumber(v: unknown, column: string, where: string): number {
  if (typeof v === 'number') return v;
  if (typeof v !== 'bigint') throw new SourceError('QUERY', `${where}: column '${column}' is ${typeof v}, expected a number`, column);
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER))
    throw new SourceError('QUERY', `${where}: column '${column}' value ${v} does not fit a JS number exactly`, column);
  return Number(v);
}

/** A result row as the Delta reader gives it: timestamps as ISO-8601 strings with their microseconds. */
export function deltaRowFromSql(row: Record<string, unknown>, where: string): DeltaRow {
  const out: DeltaRow = {};
  for (const f of RUNS_TABLE_SCHEMA.fields) {
    const v = row[f.name];
    if (v === null || v === undefined) out[f.name] = null;
    else if (TIMESTAMPS.has(f.name)) out[f.name] = isoFromMicros(BigInt(exactNumber(v, f.name, where)));
    else if (typeof v === 'bigint') out[f.name] = exactNumber(v, f.name, where);
    else out[f.name] = v;
  }
  return out;
}

/** A SQL string literal. */
export const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
