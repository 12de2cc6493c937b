/**
 * A client of the Flink SQL Gateway's REST API (v3: sessions, statements, operations, results). Everything
 * a SQL client can do goes through it as SQL text: SET, CREATE TABLE, INSERT INTO (which submits a job),
 * SHOW JOBS, STOP JOB.
 */

export interface GatewayOptions {
  /** The gateway's base address, e.g. `http://127.0.0.1:8083`. */
  readonly url: string;
  /** Per HTTP request. */
  readonly requestTimeoutMs?: number;
}

/** A statement's rows: column names and, per row, its fields in column order (JSON values). */
export interface StatementResult {
  readonly columns: string[];
  readonly rows: unknown[][];
  /** Set for a statement that submitted a job (INSERT INTO, a statement set). */
  readonly jobId?: string;
}

/** A failure the gateway reported: its first line is the root cause, the rest the server's stack trace. */
export class FlinkGatewayError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'FlinkGatewayError';
  }
}

interface ResultPage {
  resultType: 'NOT_READY' | 'PAYLOAD' | 'EOS';
  isQueryResult?: boolean;
  jobID?: string;
  results?: { columns?: { name: string }[]; data?: { kind: string; fields: unknown[] }[] };
  nextResultUri?: string;
}

const API = '/v3';

/** Why a request never got an answer: the network error's code (ECONNREFUSED, ENOTFOUND…) or message. */
export function unreachable(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}

/** The most useful line of a gateway error: the innermost `Caused by:` of the server's trace. */
export function rootCause(errors: readonly string[]): string {
  const text = errors.join('\n');
  const causes = [...text.matchAll(/Caused by: (?:[\w.$]+(?:Exception|Error): )?(.+)/g)].map((m) => m[1].trim());
  const last = causes.filter((c) => c && !/^(?:[\w.$]+(?:Exception|Error))$/.test(c)).pop();
  if (last) return last;
  const first = text.split('\n').find((l) => l.trim() && !/Internal server error/.test(l) && !/^<Exception/.test(l));
  return (first ?? text).replace(/^[\w.$]+(?:Exception|Error): /, '').trim();
}

export class SqlGateway {
  readonly url: string;
  private readonly timeoutMs: number;

  constructor(opts: GatewayOptions) {
    let u: URL;
    try {
      u = new URL(opts.url);
    } catch {
      throw new FlinkGatewayError(`not a URL: ${JSON.stringify(opts.url)} (expected e.g. http://127.0.0.1:8083)`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new FlinkGatewayError(`the gateway URL must be http(s), not ${u.protocol}`);
    this.url = u.toString().replace(/\/+$/, '');
    this.timeoutMs = opts.requestTimeoutMs ?? 30_000;
  }

  /** The gateway's product and version (`GET /v3/info`). */
  info(): Promise<{ productName: string; version: string }> {
    return this.request('GET', `${API}/info`);
  }

  /** Opens a session; `properties` are its configuration (as SET would). */
  async openSession(properties: Record<string, string> = {}, name = 'lutflow'): Promise<GatewaySession> {
    const r = await this.request<{ sessionHandle: string }>('POST', `${API}/sessions`, { sessionName: name, properties });
    return new GatewaySession(this, r.sessionHandle);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        method,
        headers: body === undefined ? undefined : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new FlinkGatewayError(`cannot reach the Flink SQL Gateway at ${this.url} (${unreachable(err)})`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      throw new FlinkGatewayError(`the gateway answered ${res.status} with a body that is not JSON`, res.status, text);
    }
    if (!res.ok) {
      const errors = (json as { errors?: string[] }).errors ?? [text];
      throw new FlinkGatewayError(rootCause(errors), res.status, errors.join('\n'));
    }
    return json as T;
  }
}

export class GatewaySession {
  constructor(
    readonly gateway: SqlGateway,
    readonly handle: string,
  ) {}

  /**
   * Runs one statement and waits for its whole result (for INSERT INTO: until the job is submitted, with
   * its id). A statement that fails throws the gateway's root cause.
   */
  async execute(statement: string, opts: { timeoutMs?: number } = {}): Promise<StatementResult> {
    const base = `${API}/sessions/${this.handle}`;
    const op = await this.gateway.request<{ operationHandle: string }>('POST', `${base}/statements`, { statement });
    const until = Date.now() + (opts.timeoutMs ?? 120_000);
    const columns: string[] = [];
    const rows: unknown[][] = [];
    let jobId: string | undefined;
    let next = `${base}/operations/${op.operationHandle}/result/0?rowFormat=JSON`;
    for (;;) {
      const page = await this.gateway.request<ResultPage>('GET', next);
      jobId ??= page.jobID;
      if (!columns.length && page.results?.columns) columns.push(...page.results.columns.map((c) => c.name));
      for (const row of page.results?.data ?? []) rows.push(row.fields);
      if (page.resultType === 'EOS') break;
      if (Date.now() > until) {
        await this.gateway.request('POST', `${base}/operations/${op.operationHandle}/cancel`).catch(() => {});
        throw new FlinkGatewayError(`statement did not finish within ${opts.timeoutMs ?? 120_000} ms`);
      }
      if (page.resultType === 'NOT_READY') await new Promise((r) => setTimeout(r, 100));
      next = page.nextResultUri ?? next;
    }
    await this.gateway.request('DELETE', `${base}/operations/${op.operationHandle}/close`).catch(() => {});
    if (!jobId && columns.length === 1 && columns[0] === 'job id' && typeof rows[0]?.[0] === 'string') jobId = rows[0][0];
    return { columns, rows, jobId };
  }

  close(): Promise<unknown> {
    return this.gateway.request('DELETE', `${API}/sessions/${this.handle}`).catch(() => {});
  }
}
