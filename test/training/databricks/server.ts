/**
 * A local stand-in for a Databricks SQL warehouse: Thrift TCLIService over HTTPS (binary protocol in POST
 * bodies, bearer-token auth, Databricks' protocol version and fields), executing the SQL on DuckDB over
 * real Delta tables. The real, unpatched `@databricks/sql` driver talks to it. Table names resolve to Delta
 * folders; `VERSION AS OF`, `DESCRIBE HISTORY` and `unix_micros` are given DuckDB meanings.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { DuckDBConnection, DuckDBInstance, DuckDBResult, DuckDBValue } from '@duckdb/node-api';
import { generate } from 'selfsigned';
import { openDuckDbWithDelta } from '../../../training/sources/duckdb-delta.js';
import { sqlString } from '../../../training/sources/sql.js';
import { arrowBatch, arrowSchemaBytes, arrowSchemaOf, columnBased, describeColumns, type ResultColumn, type Schema } from './results.js';
import {
  fetchResults,
  operationHandle,
  OperationState,
  operationStatus,
  PROTOCOL,
  resultSetMetadata,
  rowSet,
  RowSetType,
  sessionHandle,
  status,
  StatusCode,
  type Handle,
} from './tcli.js';
import { get, MessageType, ThriftReader, ThriftWriter, w, type Node, type Struct } from './thrift.js';

export interface DatabricksSqlServerOptions {
  /** Three-part table names (`catalog.schema.table`) and the Delta folders they stand for. */
  readonly tables: Readonly<Record<string, string>>;
  readonly token: string;
  readonly httpPath?: string;
  /** What the server answers OpenSession with; below SPARK_V5 the driver asks for column-based results. */
  readonly protocolVersion?: number;
}

export interface DatabricksSqlServer {
  readonly host: string;
  readonly port: number;
  readonly path: string;
  /** The self-signed certificate, for the driver's `customCaCert`. */
  readonly ca: string;
  /** Requests by Thrift method, and result pages served. */
  readonly stats: { calls: Record<string, number>; pages: number; unauthorized: number };
  /** Faults to inject: drop the connection (after the page is taken) on this many FetchResults calls. */
  readonly faults: { dropFetches: number };
  close(): Promise<void>;
}

interface Operation {
  readonly connection: DuckDBConnection;
  result?: DuckDBResult;
  error?: { message: string; sqlState: string };
  cols: ResultColumn[];
  format: RowSetType;
  schema?: Schema;
  /** Rows read from DuckDB and not yet sent, column by column. */
  buffered: DuckDBValue[][];
  done: boolean;
  sent: number;
}

const hex = (b: Buffer) => b.toString('hex');
/** Handles carry UUIDs (the driver prints them as such). */
const newHandle = (): Handle => ({ guid: Buffer.from(randomUUID().replace(/-/g, ''), 'hex'), secret: randomBytes(16) });

/** `a.b.c`, each part bare or in backticks, as a pattern. */
const namePattern = (name: string) => name.split('.').map((p) => `\`?${p.replace(/[^\w]/g, (c) => `\\${c}`)}\`?`).join('\\.');

export function translate(sql: string, tables: Readonly<Record<string, string>>): string {
  const unknown = /^\s*DESCRIBE\s+HISTORY\s+([\w.`-]+)/i.exec(sql);
  for (const [name, path] of Object.entries(tables)) {
    const n = namePattern(name);
    const history = new RegExp(`^\\s*DESCRIBE\\s+HISTORY\\s+${n}(?:\\s+LIMIT\\s+(\\d+))?\\s*;?\\s*$`, 'i').exec(sql);
    if (history) {
      const log = sqlString(`${path}/_delta_log/*.json`);
      return `SELECT CAST(regexp_extract(file, '(\\d{20})\\.json$', 1) AS BIGINT) AS version FROM glob(${log}) ORDER BY version DESC${history[1] ? ` LIMIT ${history[1]}` : ''}`;
    }
    sql = sql
      .replace(new RegExp(`(?<![\\w.])${n}\\s+VERSION\\s+AS\\s+OF\\s+(\\d+)`, 'gi'), (_m, v: string) => `delta_scan(${sqlString(path)}, version => ${v})`)
      .replace(new RegExp(`(?<![\\w.'])${n}(?![\\w.'(])`, 'g'), `delta_scan(${sqlString(path)})`);
  }
  if (unknown) throw new Error(`Catalog Error: the table or view ${unknown[1]} cannot be found`);
  // Databricks quotes identifiers in backticks, DuckDB in double quotes.
  return sql.replace(/`([^`]*)`/g, (_m, id: string) => `"${id.replace(/"/g, '""')}"`);
}

/** Databricks' error classes for what DuckDB reports. */
function sqlError(err: unknown): { message: string; sqlState: string } {
  const m = (err as Error).message;
  if (/Catalog Error|No files in log segment|not a Delta table|does not exist/i.test(m))
    return { message: `[TABLE_OR_VIEW_NOT_FOUND] ${m}`, sqlState: '42P01' };
  if (/Parser Error/i.test(m)) return { message: `[PARSE_SYNTAX_ERROR] ${m}`, sqlState: '42601' };
  return { message: m, sqlState: 'XX000' };
}

export async function startDatabricksSqlServer(opts: DatabricksSqlServerOptions): Promise<DatabricksSqlServer> {
  const path = opts.httpPath ?? '/sql/1.0/warehouses/lutflow-local';
  const protocol = opts.protocolVersion ?? PROTOCOL.SPARK_V8;
  const { instance, connection: setup } = await openDuckDbWithDelta();
  await setup.run('CREATE MACRO unix_micros(ts) AS epoch_us(ts)');
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'ec', days: 2 } as never);
  const sessions = new Map<string, Set<string>>();
  const operations = new Map<string, Operation>();
  const stats = { calls: {} as Record<string, number>, pages: 0, unauthorized: 0 };
  const faults = { dropFetches: 0 };

  const closeOperation = (key: string) => {
    const op = operations.get(key);
    if (!op) return;
    operations.delete(key);
    op.connection.closeSync();
  };

  /** Reads DuckDB chunks until `rows` are buffered or the result ends. */
  async function fill(op: Operation, rows: number): Promise<void> {
    while (!op.done && (op.buffered[0]?.length ?? 0) < rows) {
      const chunk = await op.result!.fetchChunk();
      if (!chunk || chunk.rowCount === 0) {
        op.done = true;
        break;
      }
      chunk.getColumns().forEach((values, i) => op.buffered[i].push(...values));
    }
  }

  async function page(op: Operation, maxRows: number): Promise<{ node: Node; more: boolean }> {
    await fill(op, maxRows);
    const n = Math.min(maxRows, op.buffered[0]?.length ?? 0);
    const columns = op.buffered.map((c) => c.splice(0, n));
    if (op.buffered.every((c) => c.length === 0)) await fill(op, 1);
    const more = !op.done || (op.buffered[0]?.length ?? 0) > 0;
    const start = op.sent;
    op.sent += n;
    stats.pages++;
    const results =
      op.format === RowSetType.ARROW
        ? rowSet(start, { arrow: n ? [{ batch: arrowBatch(op.schema!, op.cols, columns, n), rows: n }] : [] })
        : rowSet(start, { columns: columnBased(op.cols, columns) });
    return { node: fetchResults(more, results), more };
  }

  const metadata = (op: Operation) =>
    resultSetMetadata(op.cols, op.format, op.schema ? arrowSchemaBytes(op.schema) : undefined);

  async function execute(req: Struct): Promise<Node> {
    const session = get.struct(get.struct(req, 1), 1);
    const ops = sessions.get(hex(get.binary(session, 1) ?? Buffer.alloc(0)));
    if (!ops) return w.struct({ 1: status({ message: 'Invalid SessionHandle' }, StatusCode.INVALID_HANDLE) });
    const arrow = get.bool(req, 0x502) === true;
    const native = get.bool(get.struct(req, 0x506), 1) === true;
    const op: Operation = {
      connection: await instance.connect(),
      cols: [],
      format: arrow ? RowSetType.ARROW : RowSetType.COLUMN,
      buffered: [],
      done: false,
      sent: 0,
    };
    try {
      op.result = await op.connection.stream(translate(get.string(req, 2) ?? '', opts.tables));
      op.cols = describeColumns(op.result.columnNames(), op.result.columnTypes());
      op.buffered = op.cols.map(() => []);
      if (arrow) op.schema = arrowSchemaOf(op.cols, native);
    } catch (err) {
      op.error = sqlError(err);
    }
    const handle = newHandle();
    const key = hex(handle.guid);
    operations.set(key, op);
    ops.add(key);
    const direct = get.struct(req, 0x501);
    if (!direct) return w.struct({ 1: status(), 2: operationHandle(handle, !op.error) });
    // Direct results: the status, the schema and a first page in the same reply, as a warehouse sends them.
    if (op.error)
      return w.struct({
        1: status(),
        2: operationHandle(handle, false),
        0x501: w.struct({ 1: operationStatus(OperationState.ERROR, op.error) }),
      });
    const first = await page(op, Number(get.i64(direct, 1) ?? 100_000n));
    if (!first.more) closeOperation(key);
    return w.struct({
      1: status(),
      2: operationHandle(handle, true),
      0x501: w.struct({
        1: operationStatus(OperationState.FINISHED),
        2: metadata(op),
        3: first.node,
        4: first.more ? undefined : w.struct({ 1: status() }),
      }),
    });
  }

  /** The operation a request's `operationHandle` (field 1) names. */
  const opKey = (req: Struct) => hex(get.binary(get.struct(get.struct(req, 1), 1), 1) ?? Buffer.alloc(0));
  const opOf = (req: Struct) => operations.get(opKey(req));
  const invalid = () => w.struct({ 1: status({ message: 'Invalid OperationHandle' }, StatusCode.INVALID_HANDLE) });

  async function dispatch(name: string, req: Struct, drop: () => void): Promise<Node | undefined> {
    switch (name) {
      case 'OpenSession': {
        if (get.i64(req, 0x502) === undefined)
          return w.struct({ 1: status({ message: "Required field 'client_protocol_i64' is unset" }), 2: w.i32(protocol) });
        const handle = newHandle();
        sessions.set(hex(handle.guid), new Set());
        const client = Number(get.i64(req, 0x502));
        return w.struct({
          1: status(),
          2: w.i32(Math.min(client, protocol)),
          3: sessionHandle(handle),
          0x505: w.bool(true),
        });
      }
      case 'CloseSession': {
        const key = hex(get.binary(get.struct(get.struct(req, 1), 1), 1) ?? Buffer.alloc(0));
        for (const op of sessions.get(key) ?? []) closeOperation(op);
        sessions.delete(key);
        return w.struct({ 1: status() });
      }
      case 'ExecuteStatement':
        return execute(req);
      case 'GetOperationStatus': {
        const op = opOf(req);
        if (!op) return invalid();
        return op.error ? operationStatus(OperationState.ERROR, op.error) : operationStatus(OperationState.FINISHED);
      }
      case 'GetResultSetMetadata': {
        const op = opOf(req);
        if (!op) return invalid();
        if (op.error) return w.struct({ 1: status(op.error) });
        return metadata(op);
      }
      case 'FetchResults': {
        const op = opOf(req);
        if (!op) return invalid();
        if (op.error) return w.struct({ 1: status(op.error) });
        const p = await page(op, Number(get.i64(req, 3) ?? 10_000n));
        if (faults.dropFetches > 0) {
          faults.dropFetches--;
          drop();
          return undefined;
        }
        return p.node;
      }
      case 'CloseOperation':
      case 'CancelOperation': {
        closeOperation(opKey(req));
        return w.struct({ 1: status() });
      }
      default:
        return undefined;
    }
  }

  const server: Server = createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    if (url.pathname !== path || req.method !== 'POST') {
      res.writeHead(404).end();
      return;
    }
    if (req.headers.authorization !== `Bearer ${opts.token}`) {
      stats.unauthorized++;
      res.writeHead(req.headers.authorization ? 403 : 401, { 'content-type': 'text/plain' }).end('Invalid access token.');
      return;
    }
    const body: Buffer[] = [];
    req.on('data', (b: Buffer) => body.push(b));
    req.on('end', () => {
      void (async () => {
        let message: ReturnType<ThriftReader['message']>;
        try {
          message = new ThriftReader(Buffer.concat(body)).message();
        } catch (err) {
          res.writeHead(400, { 'content-type': 'text/plain' }).end((err as Error).message);
          return;
        }
        stats.calls[message.name] = (stats.calls[message.name] ?? 0) + 1;
        const args = get.struct(message.body, 1) ?? new Map();
        const reply = await dispatch(message.name, args, () => req.socket.destroy());
        if (req.socket.destroyed) return;
        const out = new ThriftWriter();
        const bytes = reply
          ? out.message(message.name, MessageType.REPLY, message.seqid, w.struct({ 0: reply }))
          : out.message(message.name, MessageType.EXCEPTION, message.seqid, w.struct({ 1: w.string(`unknown method ${message.name}`), 2: w.i32(1) }));
        res.writeHead(200, { 'content-type': 'application/x-thrift', 'content-length': bytes.length }).end(bytes);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    path,
    ca: pems.cert,
    stats,
    faults,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const key of [...operations.keys()]) closeOperation(key);
      setup.closeSync();
      (instance as DuckDBInstance).closeSync();
    },
  };
}
