import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { DeltaError } from './errors.js';
import type { AddAction } from './log.js';
import type { DeltaRow } from './read.js';
import { microsFromTimestamp } from './timestamps.js';
import { primitiveType, type DeltaField, type DeltaPrimitive, type DeltaSchema } from './schema.js';

type SchemaElement = Record<string, unknown> & { name: string };

function parquetElement(f: DeltaField): SchemaElement {
  const repetition_type = f.nullable ? 'OPTIONAL' : 'REQUIRED';
  const t = primitiveType(f);
  const el: Record<DeltaPrimitive, Record<string, unknown>> = {
    string: { type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } },
    binary: { type: 'BYTE_ARRAY' },
    long: { type: 'INT64' },
    integer: { type: 'INT32' },
    short: { type: 'INT32', converted_type: 'INT_16' },
    byte: { type: 'INT32', converted_type: 'INT_8' },
    double: { type: 'DOUBLE' },
    float: { type: 'FLOAT' },
    boolean: { type: 'BOOLEAN' },
    timestamp: { type: 'INT64', converted_type: 'TIMESTAMP_MICROS', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' } },
    timestamp_ntz: { type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'MICROS' } },
    date: { type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } },
  };
  return { name: f.name, repetition_type, ...el[t] };
}

function checkValue(v: unknown, t: DeltaPrimitive): boolean {
  switch (t) {
    case 'string': return typeof v === 'string';
    case 'binary': return v instanceof Uint8Array;
    case 'long': return (typeof v === 'number' && Number.isSafeInteger(v)) || typeof v === 'bigint';
    case 'integer': return typeof v === 'number' && Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31;
    case 'short': return typeof v === 'number' && Number.isInteger(v) && v >= -32768 && v < 32768;
    case 'byte': return typeof v === 'number' && Number.isInteger(v) && v >= -128 && v < 128;
    case 'double': case 'float': return typeof v === 'number';
    case 'boolean': return typeof v === 'boolean';
    case 'timestamp': case 'timestamp_ntz': return typeof v === 'string' || v instanceof Date;
    case 'date': return (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) || v instanceof Date;
  }
}

/** Column statistics in the log's JSON form: what readers use to skip files. */
function statsFor(fields: readonly DeltaField[], columns: unknown[][], numRecords: number): string {
  const minValues: Record<string, unknown> = {}, maxValues: Record<string, unknown> = {}, nullCount: Record<string, number> = {};
  fields.forEach((f, j) => {
    const t = primitiveType(f);
    let nulls = 0, min: unknown, max: unknown;
    for (const v of columns[j]) {
      if (v === null || v === undefined) { nulls++; continue; }
      if (t === 'binary' || t === 'boolean') continue;
      if (typeof v === 'number' && Number.isNaN(v)) continue;
      if (min === undefined || (v as number) < (min as number)) min = v;
      if (max === undefined || (v as number) > (max as number)) max = v;
    }
    nullCount[f.name] = nulls;
    // Timestamp bounds keep millisecond precision: the min rounds down and the max up, so both stay bounds.
    const fmt = (x: unknown, up = false) => {
      if (t === 'timestamp' || t === 'timestamp_ntz') return new Date(Number(((x as bigint) + (up ? 999n : 0n)) / 1000n)).toISOString();
      if (t === 'date') return (x as Date).toISOString().slice(0, 10);
      return typeof x === 'bigint' ? Number(x) : x;
    };
    // Strings are cut to 32 characters: a truncated min is still a lower bound; a truncated max is not, so omit it.
    if (min !== undefined) minValues[f.name] = t === 'string' ? (min as string).slice(0, 32) : fmt(min);
    if (max !== undefined && !(t === 'string' && (max as string).length > 32)) maxValues[f.name] = fmt(max, true);
  });
  return JSON.stringify({ numRecords, minValues, maxValues, nullCount });
}

/** The value hyparquet-writer takes for a column: bigint for int64 and timestamps (µs), Date for dates. */
function physical(v: unknown, f: DeltaField): unknown {
  switch (primitiveType(f)) {
    case 'long': return BigInt(v as number);
    case 'timestamp': case 'timestamp_ntz': return microsFromTimestamp(v as string | Date, f.name);
    case 'date': return typeof v === 'string' ? new Date(`${v}T00:00:00Z`) : v;
    default: return v;
  }
}

export function validateRows(rows: readonly DeltaRow[], fields: readonly DeltaField[]): unknown[][] {
  const columns = fields.map(() => new Array<unknown>(rows.length));
  rows.forEach((row, i) => {
    fields.forEach((f, j) => {
      const v = row[f.name];
      if (v === null || v === undefined) {
        if (!f.nullable) throw new DeltaError('BAD_ROW', `row ${i}: column '${f.name}' is not nullable`, f.name);
        columns[j][i] = null;
      } else if (!checkValue(v, primitiveType(f))) {
        throw new DeltaError('BAD_ROW', `row ${i}: column '${f.name}' expects ${String(f.type)}, got ${JSON.stringify(v)}`, f.name);
      } else columns[j][i] = physical(v, f);
    });
    for (const k of Object.keys(row)) {
      if (!fields.some((f) => f.name === k)) throw new DeltaError('SCHEMA_MISMATCH', `row ${i}: column '${k}' is not in the table schema`, k);
    }
  });
  return columns;
}

/** Why `row` cannot be stored under `schema`, or undefined when it can. */
export function rowProblem(row: DeltaRow, schema: DeltaSchema): string | undefined {
  try {
    validateRows([row], schema.fields);
    return undefined;
  } catch (err) {
    return (err as Error).message.replace(/^row 0: /, '');
  }
}

/** Writes rows as one parquet data file in the table directory; the `add` action that makes it live. */
export function writeDataFile(tablePath: string, schema: DeltaSchema, rows: readonly DeltaRow[], now = Date.now()): AddAction {
  const columns = validateRows(rows, schema.fields);
  const buffer = parquetWriteBuffer({
    columnData: schema.fields.map((f, j) => ({ name: f.name, data: columns[j] as never })),
    schema: [{ name: 'root', num_children: schema.fields.length }, ...schema.fields.map(parquetElement)] as never,
    createdBy: 'lutflow (hyparquet-writer)',
  });
  const path = `part-00000-${randomUUID()}-c000.snappy.parquet`;
  writeFileSync(join(tablePath, path), new Uint8Array(buffer));
  return { path, partitionValues: {}, size: buffer.byteLength, modificationTime: now, dataChange: true, stats: statsFor(schema.fields, columns, rows.length) };
}
