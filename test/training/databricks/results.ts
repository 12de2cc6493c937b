import { createRequire } from 'node:module';

import { DuckDBTypeId, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import { isoFromMicros } from '../../../delta/index.js';
import { TYPE, type ColumnDesc } from './tcli.js';
import { T, w, type Node, type ThriftWriter } from './thrift.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- apache-arrow 13 names no types for ESM resolution, and its
   own declarations bring DOM timer types that clash with @types/node; the few parts used here, untyped. */
type Ctor = new (...args: any[]) => any;
type Data = any;
type DataType = any;
type Batch = any;
export type Schema = { readonly fields: { readonly type: DataType }[] };
interface ArrowApi {
  readonly [name: string]: Ctor;
}
const arrow = createRequire(import.meta.url)('apache-arrow') as ArrowApi & { makeData(o: object): Data };
const { Binary, Bool, DateDay, Field, Float32, Float64, Int16, Int32, Int64, Int8, makeData, RecordBatch, RecordBatchStreamWriter } = arrow;
const { Schema: ArrowSchema, Struct, TimestampMicrosecond, Utf8 } = arrow;

type Kind = 'bool' | 'i8' | 'i16' | 'i32' | 'i64' | 'f32' | 'f64' | 'string' | 'timestamp' | 'date' | 'binary';

export interface ResultColumn extends ColumnDesc {
  readonly kind: Kind;
}

const KINDS: Partial<Record<DuckDBTypeId, [Kind, number]>> = {
  [DuckDBTypeId.BOOLEAN]: ['bool', TYPE.BOOLEAN],
  [DuckDBTypeId.TINYINT]: ['i8', TYPE.TINYINT],
  [DuckDBTypeId.SMALLINT]: ['i16', TYPE.SMALLINT],
  [DuckDBTypeId.UTINYINT]: ['i16', TYPE.SMALLINT],
  [DuckDBTypeId.INTEGER]: ['i32', TYPE.INT],
  [DuckDBTypeId.USMALLINT]: ['i32', TYPE.INT],
  [DuckDBTypeId.BIGINT]: ['i64', TYPE.BIGINT],
  [DuckDBTypeId.UINTEGER]: ['i64', TYPE.BIGINT],
  [DuckDBTypeId.FLOAT]: ['f32', TYPE.FLOAT],
  [DuckDBTypeId.DOUBLE]: ['f64', TYPE.DOUBLE],
  [DuckDBTypeId.TIMESTAMP]: ['timestamp', TYPE.TIMESTAMP],
  [DuckDBTypeId.TIMESTAMP_TZ]: ['timestamp', TYPE.TIMESTAMP],
  [DuckDBTypeId.DATE]: ['date', TYPE.DATE],
  [DuckDBTypeId.BLOB]: ['binary', TYPE.BINARY],
  // Wider numbers travel as decimal strings, as a warehouse sends DECIMAL when Arrow decimals are off.
  [DuckDBTypeId.HUGEINT]: ['string', TYPE.DECIMAL],
  [DuckDBTypeId.UBIGINT]: ['string', TYPE.DECIMAL],
  [DuckDBTypeId.DECIMAL]: ['string', TYPE.DECIMAL],
};

/** Databricks' column types for a DuckDB result; anything not listed travels as its text. */
export function describeColumns(names: readonly string[], types: readonly DuckDBType[]): ResultColumn[] {
  return names.map((name, i) => {
    const [kind, type] = KINDS[types[i].typeId] ?? ['string', TYPE.STRING];
    return { name, kind, type };
  });
}

const micros = (v: DuckDBValue) => (v as { micros: bigint }).micros;
const days = (v: DuckDBValue) => (v as { days: number }).days;
const bytes = (v: DuckDBValue) => (v as { bytes: Uint8Array }).bytes;
/** Spark's text for a timestamp: `yyyy-MM-dd HH:mm:ss.ffffff`, trailing zeros cut. */
const timestampText = (us: bigint) => isoFromMicros(us).replace('T', ' ').replace('Z', '').replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '.0');
const dateText = (d: number) => new Date(d * 86_400_000).toISOString().slice(0, 10);

function text(c: ResultColumn, v: DuckDBValue): string {
  if (c.kind === 'timestamp') return timestampText(micros(v));
  if (c.kind === 'date') return dateText(days(v));
  return typeof v === 'string' ? v : String(v);
}

// ---- Arrow: one IPC record batch per page, the schema sent once in the result metadata.

function arrowType(c: ResultColumn, nativeTimestamps: boolean): DataType {
  switch (c.kind) {
    case 'bool': return new Bool();
    case 'i8': return new Int8();
    case 'i16': return new Int16();
    case 'i32': return new Int32();
    case 'i64': return new Int64();
    case 'f32': return new Float32();
    case 'f64': return new Float64();
    case 'timestamp': return nativeTimestamps ? new TimestampMicrosecond('Etc/UTC') : new Utf8();
    case 'date': return new DateDay();
    case 'binary': return new Binary();
    default: return new Utf8();
  }
}

export const arrowSchemaOf = (cols: readonly ResultColumn[], nativeTimestamps: boolean) =>
  new ArrowSchema(cols.map((c) => new Field(c.name, arrowType(c, nativeTimestamps), true)));

function validity(values: readonly DuckDBValue[]): { bitmap: Uint8Array; nulls: number } {
  const bitmap = new Uint8Array((values.length + 7) >> 3);
  let nulls = 0;
  values.forEach((v, i) => {
    if (v === null) nulls++;
    else bitmap[i >> 3] |= 1 << (i & 7);
  });
  return { bitmap, nulls };
}

function variable(type: DataType, values: readonly DuckDBValue[], toBytes: (v: DuckDBValue) => Uint8Array): Data {
  const { bitmap, nulls } = validity(values);
  const parts = values.map((v) => (v === null ? new Uint8Array(0) : toBytes(v)));
  const offsets = new Int32Array(values.length + 1);
  parts.forEach((p, i) => (offsets[i + 1] = offsets[i] + p.length));
  const data = new Uint8Array(offsets[values.length]);
  parts.forEach((p, i) => data.set(p, offsets[i]));
  return makeData({ type, length: values.length, nullCount: nulls, nullBitmap: bitmap, valueOffsets: offsets, data });
}

function columnData(c: ResultColumn, type: DataType, values: readonly DuckDBValue[]): Data {
  const n = values.length;
  const { bitmap, nulls } = validity(values);
  const fixed = (data: ArrayLike<unknown>) =>
    makeData({ type, length: n, nullCount: nulls, nullBitmap: bitmap, data });
  const nonNull = <V>(f: (v: DuckDBValue) => V, zero: V) => values.map((v) => (v === null ? zero : f(v)));
  switch (c.kind) {
    case 'bool': {
      const bits = new Uint8Array((n + 7) >> 3);
      values.forEach((v, i) => v === true && (bits[i >> 3] |= 1 << (i & 7)));
      return fixed(bits);
    }
    case 'i8': return fixed(Int8Array.from(nonNull(Number, 0)));
    case 'i16': return fixed(Int16Array.from(nonNull(Number, 0)));
    case 'i32': return fixed(Int32Array.from(nonNull(Number, 0)));
    case 'i64': return fixed(BigInt64Array.from(nonNull((v) => BigInt(v as bigint), 0n)));
    case 'f32': return fixed(Float32Array.from(nonNull(Number, 0)));
    case 'f64': return fixed(Float64Array.from(nonNull(Number, 0)));
    case 'date': return fixed(Int32Array.from(nonNull(days, 0)));
    case 'binary': return variable(type, values, bytes);
    case 'timestamp':
      if (type instanceof TimestampMicrosecond) return fixed(BigInt64Array.from(nonNull(micros, 0n)));
  }
  const enc = new TextEncoder();
  return variable(type, values, (v) => enc.encode(text(c, v)));
}

/** An Arrow IPC stream's first message (the schema) ends after its 8-byte prefix and metadata. */
const schemaEnd = (ipc: Uint8Array) => 8 + new DataView(ipc.buffer, ipc.byteOffset).getInt32(4, true);
const EOS = 8;

function ipcStream(schema: Schema, batch?: Batch): Uint8Array {
  const writer = new RecordBatchStreamWriter();
  writer.reset(undefined, schema);
  if (batch) writer.write(batch);
  writer.finish();
  return writer.toUint8Array(true);
}

/** The schema as a warehouse sends it in `arrowSchema`: the stream's schema message alone. */
export function arrowSchemaBytes(schema: Schema): Uint8Array {
  const ipc = ipcStream(schema);
  return ipc.subarray(0, schemaEnd(ipc));
}

/** One page as an Arrow record batch message (no schema, no end-of-stream marker). */
export function arrowBatch(schema: Schema, cols: readonly ResultColumn[], columns: readonly DuckDBValue[][], rows: number): Uint8Array {
  const children = cols.map((c, i) => columnData(c, schema.fields[i].type, columns[i]));
  const data = makeData({ type: new Struct(schema.fields), length: rows, nullCount: 0, children });
  const ipc = ipcStream(schema, new RecordBatch(schema, data));
  return ipc.subarray(schemaEnd(ipc), ipc.length - EOS);
}

// ---- Column-based: one TColumn per column, nulls as a bitmap (bit set = null).

function nullBits(values: readonly DuckDBValue[]): Buffer {
  const b = Buffer.alloc((values.length + 7) >> 3);
  values.forEach((v, i) => v === null && (b[i >> 3] |= 1 << (i & 7)));
  return b;
}

const column = (field: number, elem: T, values: readonly DuckDBValue[], put: (x: ThriftWriter, v: DuckDBValue) => void) =>
  w.struct({ [field]: w.struct({ 1: w.values(elem, values, (x, v) => (v === null ? zeroOf(elem, x) : put(x, v))), 2: w.binary(nullBits(values)) }) });

function zeroOf(elem: T, x: ThriftWriter): void {
  if (elem === T.STRING) x.binary(new Uint8Array(0));
  else if (elem === T.I64) x.i64(0n);
  else if (elem === T.DOUBLE) x.double(0);
  else if (elem === T.I32) x.i32(0);
  else if (elem === T.I16) x.i16(0);
  else x.byte(0);
}

export function columnBased(cols: readonly ResultColumn[], columns: readonly DuckDBValue[][]): Node[] {
  return cols.map((c, i) => {
    const vs = columns[i];
    switch (c.kind) {
      case 'bool': return column(1, T.BOOL, vs, (x, v) => x.byte(v ? 1 : 0));
      case 'i8': return column(2, T.BYTE, vs, (x, v) => x.byte(Number(v)));
      case 'i16': return column(3, T.I16, vs, (x, v) => x.i16(Number(v)));
      case 'i32': return column(4, T.I32, vs, (x, v) => x.i32(Number(v)));
      case 'i64': return column(5, T.I64, vs, (x, v) => x.i64(BigInt(v as bigint)));
      case 'f32':
      case 'f64': return column(6, T.DOUBLE, vs, (x, v) => x.double(Number(v)));
      case 'binary': return column(8, T.STRING, vs, (x, v) => x.binary(bytes(v)));
      default: return column(7, T.STRING, vs, (x, v) => x.binary(Buffer.from(text(c, v), 'utf8')));
    }
  });
}
