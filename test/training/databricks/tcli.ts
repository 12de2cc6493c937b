/**
 * The parts of Databricks' TCLIService (Hive's service with Spark/Databricks fields numbered from 0x501)
 * that a SQL warehouse answers, by the field numbers of the IDL.
 */
import { T, w, type Node } from './thrift.js';

export const PROTOCOL = { SPARK_V4: 0xa504, SPARK_V8: 0xa508 } as const;

export const enum StatusCode {
  SUCCESS = 0,
  ERROR = 3,
  INVALID_HANDLE = 4,
}

export const enum OperationState {
  INITIALIZED = 0,
  RUNNING = 1,
  FINISHED = 2,
  CANCELED = 3,
  CLOSED = 4,
  ERROR = 5,
}

export const enum RowSetType {
  ARROW = 0,
  COLUMN = 1,
}

/** TTypeId */
export const TYPE = {
  BOOLEAN: 0,
  TINYINT: 1,
  SMALLINT: 2,
  INT: 3,
  BIGINT: 4,
  FLOAT: 5,
  DOUBLE: 6,
  STRING: 7,
  TIMESTAMP: 8,
  BINARY: 9,
  ARRAY: 10,
  MAP: 11,
  STRUCT: 12,
  DECIMAL: 15,
  NULL: 16,
  DATE: 17,
} as const;

export function status(error?: { message: string; sqlState?: string }, code?: StatusCode): Node {
  return w.struct({
    1: w.i32(code ?? (error ? StatusCode.ERROR : StatusCode.SUCCESS)),
    3: error?.sqlState ? w.string(error.sqlState) : undefined,
    5: error ? w.string(error.message) : undefined,
  });
}

export interface Handle {
  readonly guid: Buffer;
  readonly secret: Buffer;
}

const handleId = (h: Handle) => w.struct({ 1: w.binary(h.guid), 2: w.binary(h.secret) });
export const sessionHandle = (h: Handle) => w.struct({ 1: handleId(h) });
/** operationType 0: EXECUTE_STATEMENT */
export const operationHandle = (h: Handle, hasResultSet: boolean) =>
  w.struct({ 1: handleId(h), 2: w.i32(0), 3: w.bool(hasResultSet) });

export interface ColumnDesc {
  readonly name: string;
  readonly type: number;
}

export const tableSchema = (columns: readonly ColumnDesc[]) =>
  w.struct({
    1: w.list(
      T.STRUCT,
      columns.map((c, i) =>
        w.struct({
          1: w.string(c.name),
          2: w.struct({ 1: w.list(T.STRUCT, [w.struct({ 1: w.struct({ 1: w.i32(c.type) }) })]) }),
          3: w.i32(i + 1),
        }),
      ),
    ),
  });

export const operationStatus = (state: OperationState, error?: { message: string; sqlState?: string }) =>
  w.struct({
    1: status(),
    2: w.i32(state),
    3: error?.sqlState ? w.string(error.sqlState) : undefined,
    5: error ? w.string(error.message) : undefined,
    9: w.bool(state === OperationState.FINISHED),
    0x501: error ? w.string(error.message) : undefined,
  });

export const resultSetMetadata = (columns: readonly ColumnDesc[], format: RowSetType, arrowSchema?: Uint8Array) =>
  w.struct({
    1: status(),
    2: tableSchema(columns),
    0x501: w.i32(format),
    0x502: w.bool(false),
    0x503: arrowSchema ? w.binary(arrowSchema) : undefined,
  });

/** A TRowSet: Arrow batches, or one TColumn per result column; the row-based list stays empty. */
export const rowSet = (startRow: number, page: { arrow?: readonly { batch: Uint8Array; rows: number }[]; columns?: readonly Node[] }) =>
  w.struct({
    1: w.i64(startRow),
    2: w.list(T.STRUCT, []),
    3: page.columns ? w.list(T.STRUCT, page.columns) : undefined,
    0x501: page.arrow
      ? w.list(
          T.STRUCT,
          page.arrow.map((b) => w.struct({ 1: w.binary(b.batch), 2: w.i64(b.rows) })),
        )
      : undefined,
  });

export const fetchResults = (hasMoreRows: boolean, results: Node) => w.struct({ 1: status(), 2: w.bool(hasMoreRows), 3: results });
