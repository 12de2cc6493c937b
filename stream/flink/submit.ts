import { FlinkGatewayError, SqlGateway } from './gateway.js';
import { FLINK_JOB_DEFAULTS, renderCostWindowsSql, splitStatements, type FlinkJobOptions } from './job.js';

export interface SubmitOptions extends FlinkJobOptions {
  /** The SQL Gateway's address, e.g. `http://127.0.0.1:8083`. */
  readonly gateway: string;
  /** A savepoint or retained checkpoint to start from (its state: positions, windows, event ids). */
  readonly restorePath?: string;
}

export interface SubmitResult {
  readonly jobId: string;
  readonly jobName: string;
  readonly flinkVersion: string;
}

export interface FlinkJobInfo {
  readonly jobId: string;
  readonly name: string;
  readonly status: string;
  readonly startTime?: string;
}

/** The jobs the cluster knows (`SHOW JOBS`), newest first; only those named `name` when given. */
export async function listJobs(gatewayUrl: string, name?: string): Promise<FlinkJobInfo[]> {
  const session = await new SqlGateway({ url: gatewayUrl }).openSession();
  try {
    const r = await session.execute('SHOW JOBS');
    const col = (n: string) => r.columns.indexOf(n);
    const jobs = r.rows.map((row) => ({
      jobId: String(row[col('job id')]),
      name: String(row[col('job name')]),
      status: String(row[col('status')]),
      startTime: col('start time') >= 0 ? String(row[col('start time')]) : undefined,
    }));
    return jobs.filter((j) => name === undefined || j.name === name).sort((a, b) => (b.startTime ?? '').localeCompare(a.startTime ?? ''));
  } finally {
    await session.close();
  }
}

const ACTIVE = new Set(['RUNNING', 'CREATED', 'INITIALIZING', 'RESTARTING', 'FAILING', 'CANCELLING', 'RECONCILING']);

/**
 * Submits the cost-window job through a SQL Gateway: one session, the job's SET, CREATE and INSERT
 * statements, closed again. A job of the same name still active is refused: both would write the same
 * windows under the same transactional ids.
 */
export async function submitCostWindows(opts: SubmitOptions): Promise<SubmitResult> {
  const sql = renderCostWindowsSql(opts);
  const jobName = opts.jobName ?? FLINK_JOB_DEFAULTS.jobName;
  const gateway = new SqlGateway({ url: opts.gateway });
  const { version } = await gateway.info();
  const running = (await listJobs(opts.gateway, jobName)).filter((j) => ACTIVE.has(j.status));
  if (running.length)
    throw new FlinkGatewayError(
      `a job named ${jobName} is already ${running[0].status.toLowerCase()} (${running[0].jobId}); stop it first (lutflow flink stop)`,
    );
  const session = await gateway.openSession({}, jobName);
  try {
    let jobId: string | undefined;
    const statements = splitStatements(sql);
    if (opts.restorePath) {
      const path = opts.restorePath.replace(/'/g, "''");
      statements.splice(statements.length - 1, 0, `SET 'execution.state-recovery.path' = '${path}'`);
    }
    for (const s of statements) {
      const r = await session.execute(s);
      if (/^INSERT\b/i.test(s)) jobId = r.jobId;
    }
    if (!jobId) throw new FlinkGatewayError('the gateway accepted the job but returned no job id');
    return { jobId, jobName, flinkVersion: version };
  } finally {
    await session.close();
  }
}

/** Stops a job with a savepoint (`STOP JOB … WITH SAVEPOINT`) and returns the savepoint's path. */
export async function stopJob(gatewayUrl: string, jobId: string): Promise<string | undefined> {
  if (!/^[0-9a-f]{32}$/.test(jobId)) throw new FlinkGatewayError(`not a Flink job id: ${JSON.stringify(jobId)}`);
  const session = await new SqlGateway({ url: gatewayUrl }).openSession();
  try {
    const r = await session.execute(`STOP JOB '${jobId}' WITH SAVEPOINT`, { timeoutMs: 300_000 });
    const path = r.rows[0]?.[0];
    return typeof path === 'string' ? path : undefined;
  } finally {
    await session.close();
  }
}
