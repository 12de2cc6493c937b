import type { DBSQLClient, LogLevel } from '@databricks/sql';
import { SourceError } from './errors.js';
import { recordsFromRows, type PullOptions, type Pulled, type TrainingDataSource } from './source.js';
import { countQuery, deltaRowFromSql, exactNumber, pullQuery, type SqlDialect } from './sql.js';

export interface DatabricksOptions {
  /** Workspace host name (no scheme), e.g. `dbc-1234.cloud.databricks.com`. */
  readonly host: string;
  readonly port?: number;
  /** The SQL warehouse's HTTP path, e.g. `/sql/1.0/warehouses/abc123`. */
  readonly path: string;
  readonly token: string;
  /** `catalog.schema.table`. */
  readonly table: string;
  /** A PEM CA certificate to trust besides the public ones (a TLS-inspecting proxy, a private endpoint). */
  readonly caCert?: string;
  /** Rows per fetched page (default 50,000). */
  readonly pageRows?: number;
  /** Per-request socket timeout, ms (default 120,000). */
  readonly socketTimeoutMs?: number;
  /** Whole-pull attempts when the connection drops or the rows do not add up (default 3). */
  readonly attempts?: number;
  /** The driver's own request retries and their first backoff, ms (defaults 3 and 1,000). */
  readonly retries?: number;
  readonly retryDelayMs?: number;
  readonly onLog?: (line: string) => void;
}

type Session = Awaited<ReturnType<DBSQLClient['openSession']>>;

const IDENT = /^[A-Za-z_][\w-]*$/;

/** `catalog.schema.table` with each part in backticks; anything else is refused before it reaches SQL. */
export function quoteTable(table: string): string {
  const parts = table.split('.');
  if (parts.length !== 3 || !parts.every((p) => IDENT.test(p)))
    throw new SourceError('CONFIG', `databricks table '${table}': expected catalog.schema.table (letters, digits, _ and -)`, 'table');
  return parts.map((p) => `\`${p}\``).join('.');
}

/**
 * Connection settings from the environment, as Databricks' own tools name them: DATABRICKS_HOST (or
 * DATABRICKS_SERVER_HOSTNAME; `https://` and a `:port` are accepted), DATABRICKS_HTTP_PATH, DATABRICKS_TOKEN,
 * and LUTFLOW_DATABRICKS_CA_CERT (a PEM file) for a private CA.
 */
export function databricksOptionsFromEnv(table: string, env: NodeJS.ProcessEnv, readFile: (p: string) => string): DatabricksOptions {
  const raw = env.DATABRICKS_HOST || env.DATABRICKS_SERVER_HOSTNAME;
  const missing = [!raw && 'DATABRICKS_HOST', !env.DATABRICKS_HTTP_PATH && 'DATABRICKS_HTTP_PATH', !env.DATABRICKS_TOKEN && 'DATABRICKS_TOKEN'].filter(Boolean);
  if (missing.length) throw new SourceError('CONFIG', `databricks:${table}: set ${missing.join(', ')}`, String(missing[0]));
  let url: URL;
  try {
    url = new URL(/^https?:\/\//.test(raw!) ? raw! : `https://${raw}`);
  } catch {
    throw new SourceError('CONFIG', `DATABRICKS_HOST '${raw}' is not a host name`, 'DATABRICKS_HOST');
  }
  if (url.protocol !== 'https:') throw new SourceError('CONFIG', `DATABRICKS_HOST '${raw}': Databricks SQL needs https`, 'DATABRICKS_HOST');
  const caFile = env.LUTFLOW_DATABRICKS_CA_CERT;
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: env.DATABRICKS_HTTP_PATH!,
    token: env.DATABRICKS_TOKEN!,
    table,
    caCert: caFile ? readFile(caFile) : undefined,
  };
}

const NETWORK = /socket hang up|network|timed out|ECONN|EPIPE|ENOTFOUND|EAI_AGAIN|certificate/i;

/** The driver's failures as typed errors: auth, connection, a missing table, other SQL errors. */
function classify(err: unknown, where: string): SourceError {
  if (err instanceof SourceError) return err;
  const e = err as Error & { statusCode?: number; code?: unknown; response?: { errorMessage?: string; sqlState?: string } };
  const message = e.response?.errorMessage ?? e.message ?? String(err);
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (e.statusCode === 401 || e.statusCode === 403)
    return new SourceError('AUTH', `${where}: the warehouse refused the token (HTTP ${e.statusCode}); check DATABRICKS_TOKEN`, 'DATABRICKS_TOKEN');
  if (e.response?.sqlState === '42P01' || /TABLE_OR_VIEW_NOT_FOUND/.test(message))
    return new SourceError('NOT_FOUND', `${where}: ${message}`, 'table');
  if (e.name === 'FetchError' || e.name === 'RetryError' || code || NETWORK.test(message))
    return new SourceError('CONNECTION', `${where}: ${message}${code ? ` (${code})` : ''}`);
  return new SourceError('QUERY', `${where}: ${message}`);
}

/**
 * The runs table in Databricks, through the official `@databricks/sql` driver (Thrift over HTTPS, token
 * auth): a pinned table version (`DESCRIBE HISTORY`, then `VERSION AS OF`), paged fetches, timestamps as
 * exact microseconds, and a row count check at the same version; a pull that drops or does not add up is
 * repeated whole, never merged from parts.
 */
export class DatabricksSource implements TrainingDataSource {
  readonly kind = 'databricks';
  readonly name: string;
  private readonly quoted: string;
  private readonly dialect: SqlDialect;
  private client?: DBSQLClient;
  private session?: Promise<Session>;

  constructor(private readonly opts: DatabricksOptions) {
    this.quoted = quoteTable(opts.table);
    this.name = `databricks:${opts.table}`;
    this.dialect = { table: (v) => `${this.quoted} VERSION AS OF ${v}`, micros: (c) => `unix_micros(${c})` };
  }

  private async open(): Promise<Session> {
    const o = this.opts;
    const log = o.onLog;
    // Loaded when used: the driver is large, and most processes that import lutflow never talk to Databricks.
    const driver = await import('@databricks/sql');
    const loud = new Set<LogLevel>([driver.LogLevel.error, driver.LogLevel.warn]);
    this.client = new driver.DBSQLClient({
      logger: { log: (level: LogLevel, message: string) => void (loud.has(level) ? log?.(`databricks: ${message}`) : undefined) },
    });
    this.client.on('error', () => {});
    await this.client.connect({
      host: o.host,
      port: o.port,
      path: o.path,
      token: o.token,
      customCaCert: o.caCert,
      socketTimeout: o.socketTimeoutMs ?? 120_000,
      retryMaxAttempts: o.retries ?? 3,
      retryDelayMin: o.retryDelayMs ?? 1_000,
      retriesTimeout: 5 * 60_000,
      preserveBigNumericPrecision: true,
      telemetryEnabled: false,
      userAgentEntry: 'lutflow',
    });
    return this.client.openSession();
  }

  private async query(sql: string, onPage?: (rows: number) => void): Promise<Record<string, unknown>[]> {
    this.session ??= this.open();
    let session: Session;
    try {
      session = await this.session;
    } catch (err) {
      this.session = undefined;
      await this.dropClient();
      throw classify(err, this.name);
    }
    const pageRows = this.opts.pageRows ?? 50_000;
    try {
      const op = await session.executeStatement(sql, { maxRows: pageRows });
      try {
        const rows: Record<string, unknown>[] = [];
        do {
          const page = (await op.fetchChunk({ maxRows: pageRows, disableBuffering: true })) as Record<string, unknown>[];
          for (const r of page) rows.push(r);
          onPage?.(rows.length);
        } while (await op.hasMoreRows());
        return rows;
      } finally {
        await op.close().catch(() => {});
      }
    } catch (err) {
      const e = classify(err, this.name);
      // A connection that failed mid-statement is not trusted again.
      if (e.code === 'CONNECTION' || e.code === 'AUTH') await this.close();
      throw e;
    }
  }

  async latestVersion(): Promise<number> {
    const rows = await this.query(`DESCRIBE HISTORY ${this.quoted} LIMIT 1`);
    if (!rows.length) throw new SourceError('NOT_FOUND', `${this.name}: DESCRIBE HISTORY returned no version`, 'table');
    return exactNumber(rows[0].version, 'version', this.name);
  }

  async count(version: number): Promise<number> {
    return exactNumber((await this.query(countQuery(this.dialect, version)))[0].n, 'n', this.name);
  }

  async pull(opts: PullOptions = {}): Promise<Pulled> {
    const attempts = this.opts.attempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.pullOnce(opts);
      } catch (err) {
        const retry = err instanceof SourceError && (err.code === 'CONNECTION' || err.code === 'INCONSISTENT');
        if (attempt >= attempts || !retry) throw err;
        this.opts.onLog?.(`${this.name}: attempt ${attempt} of ${attempts} failed (${err.message}); pulling again`);
      }
    }
  }

  private async pullOnce(opts: PullOptions): Promise<Pulled> {
    const version = opts.version ?? (await this.latestVersion());
    const where = `${this.name}@v${version}`;
    const rows = await this.query(pullQuery(this.dialect, version, opts.sinceVersion), opts.onProgress);
    const expected = (await this.count(version)) - (opts.sinceVersion === undefined ? 0 : await this.count(opts.sinceVersion));
    if (rows.length !== expected)
      throw new SourceError('INCONSISTENT', `${where}: received ${rows.length} rows, the table holds ${expected}`, 'rows');
    return {
      records: recordsFromRows(rows.map((r) => deltaRowFromSql(r, where)), where),
      version,
      since: opts.sinceVersion ?? null,
    };
  }

  private async dropClient(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    await c?.close().catch(() => {});
  }

  async close(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    if (s) await (await s.catch(() => undefined))?.close().catch(() => {});
    await this.dropClient();
  }
}
