import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { deltaTableVersion, openDuckDbWithDelta } from './duckdb-delta.js';
import { SourceError } from './errors.js';
import { recordsFromRows, type PullOptions, type Pulled, type TrainingDataSource } from './source.js';
import { countQuery, deltaRowFromSql, exactNumber, pullQuery, sqlString, type SqlDialect } from './sql.js';

/**
 * A Delta table read by DuckDB with its `delta` extension (delta-kernel-rs): for users without Databricks,
 * and for tables DuckDB reaches that lutflow's own reader does not (deletion vectors, column mapping).
 */
export class DuckDbSource implements TrainingDataSource {
  readonly kind = 'duckdb';
  readonly name: string;
  private db?: Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }>;
  private readonly dialect: SqlDialect;

  constructor(readonly path: string) {
    this.name = `duckdb:${path}`;
    this.dialect = {
      table: (v) => `delta_scan(${sqlString(path)}, version => ${v})`,
      micros: (c) => `epoch_us(${c})`,
    };
  }

  private async connection(): Promise<DuckDBConnection> {
    this.db ??= openDuckDbWithDelta();
    return (await this.db).connection;
  }

  private async query(sql: string): Promise<Record<string, unknown>[]> {
    const c = await this.connection();
    try {
      return (await c.runAndReadAll(sql)).getRowObjects() as Record<string, unknown>[];
    } catch (err) {
      throw new SourceError('QUERY', `${this.name}: ${(err as Error).message}`, this.path);
    }
  }

  async latestVersion(): Promise<number> {
    return deltaTableVersion(await this.connection(), this.path);
  }

  async count(version: number): Promise<number> {
    return exactNumber((await this.query(countQuery(this.dialect, version)))[0].n, 'n', this.name);
  }

  async pull(opts: PullOptions = {}): Promise<Pulled> {
    const version = opts.version ?? (await this.latestVersion());
    const rows = await this.query(pullQuery(this.dialect, version, opts.sinceVersion));
    opts.onProgress?.(rows.length);
    const where = `${this.name}@v${version}`;
    return {
      records: recordsFromRows(rows.map((r) => deltaRowFromSql(r, where)), where),
      version,
      since: opts.sinceVersion ?? null,
    };
  }

  async close(): Promise<void> {
    const db = await this.db;
    db?.connection.closeSync();
    db?.instance.closeSync();
    this.db = undefined;
  }
}
