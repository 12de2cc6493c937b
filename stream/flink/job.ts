import { readFileSync } from 'node:fs';
import { TOPICS } from '../topics.js';

/** The Flink SQL job, with `${NAME}` placeholders (see `renderCostWindowsSql`); from dist/ too (tsc copies no .sql). */
export const COST_WINDOWS_SQL_PATH = new URL(
  import.meta.url.includes('/dist/') ? '../../../stream/flink/cost-windows.sql' : './cost-windows.sql',
  import.meta.url,
);

/** Where the job starts reading lut.telemetry when its consumer group has no committed offsets. */
export type FlinkStartFrom = 'group-offsets' | 'earliest' | 'latest' | { readonly timestampMs: number };

export interface FlinkJobOptions {
  /** Kafka bootstrap servers, `host:port[,host:port…]`, as the Flink cluster reaches them. */
  readonly brokers: string;
  readonly telemetryTopic?: string;
  readonly windowsTopic?: string;
  /** Consumer group of the source (offsets are committed on checkpoints; the job's position is in its state). */
  readonly groupId?: string;
  /** The job's name; also the prefix of its Kafka transactional ids. */
  readonly jobName?: string;
  readonly windowMs?: number;
  readonly outOfOrdernessMs?: number;
  readonly allowedLatenessMs?: number;
  /** A partition with nothing new for this long stops holding the watermark back. */
  readonly idleTimeoutMs?: number;
  /** How far one tenant's event-time clock may run behind another's before its events miss their windows. */
  readonly clockSkewMs?: number;
  readonly checkpointIntervalMs?: number;
  /** Event ids and tenants' clocks are kept this long (processing time) after they were last seen. */
  readonly stateTtlMs?: number;
  readonly startFrom?: FlinkStartFrom;
  /**
   * Only the windows starting at or after this time (epoch ms) are computed and published: taking over from
   * another engine that keeps the earlier ones (README "Switching engines"). Unset: every window.
   */
  readonly windowsFromMs?: number;
}

export const FLINK_JOB_DEFAULTS: Required<Omit<FlinkJobOptions, 'brokers' | 'windowsFromMs'>> = {
  telemetryTopic: TOPICS.telemetry,
  windowsTopic: TOPICS.costWindows,
  groupId: 'lutflow-flink-cost-windows',
  jobName: 'lutflow-cost-windows',
  windowMs: 10_000,
  outOfOrdernessMs: 2_000,
  allowedLatenessMs: 30_000,
  // Longer than a broker outage: a partition marked idle that comes back with a backlog behind the others
  // would see its events arrive after their windows closed.
  idleTimeoutMs: 60_000,
  clockSkewMs: 10_000,
  checkpointIntervalMs: 2_000,
  stateTtlMs: 3_600_000,
  startFrom: 'group-offsets',
};

export class FlinkJobOptionError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'FlinkJobOptionError';
  }
}

const NAME = /^[A-Za-z0-9._-]{1,200}$/;
const BROKERS = /^[A-Za-z0-9.-]+:\d{1,5}(,[A-Za-z0-9.-]+:\d{1,5})*$/;

function name(field: string, v: string): string {
  if (!NAME.test(v)) throw new FlinkJobOptionError(field, `must be 1-200 of A-Z a-z 0-9 . _ - (got ${JSON.stringify(v)})`);
  return v;
}

function ms(field: string, v: number, { min = 0, seconds = false } = {}): number {
  if (!Number.isInteger(v) || v < min) throw new FlinkJobOptionError(field, `must be an integer of milliseconds ≥ ${min}`);
  if (seconds && v % 1000) throw new FlinkJobOptionError(field, 'must be a whole number of seconds');
  return v;
}

/** A duration as Flink reads it in SET values and table options. */
const duration = (v: number) => `${v} ms`;

/** The job's SQL with every placeholder filled in: statements separated by `;` at the end of a line. */
export function renderCostWindowsSql(opts: FlinkJobOptions): string {
  const set = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as FlinkJobOptions;
  const o: Required<Omit<FlinkJobOptions, 'windowsFromMs'>> & FlinkJobOptions = { ...FLINK_JOB_DEFAULTS, ...set };
  if (!BROKERS.test(o.brokers)) throw new FlinkJobOptionError('brokers', `expected host:port[,host:port…], got ${JSON.stringify(o.brokers)}`);
  const windowMs = ms('windowMs', o.windowMs, { min: 1000, seconds: true });
  const start = o.startFrom;
  let startup: string;
  if (start === 'group-offsets')
    startup = `'scan.startup.mode' = 'group-offsets',\n  'properties.auto.offset.reset' = 'earliest'`;
  else if (start === 'earliest') startup = `'scan.startup.mode' = 'earliest-offset'`;
  else if (start === 'latest') startup = `'scan.startup.mode' = 'latest-offset'`;
  else startup = `'scan.startup.mode' = 'timestamp',\n  'scan.startup.timestamp-millis' = '${ms('startFrom.timestampMs', start.timestampMs)}'`;
  const values: Record<string, string> = {
    KAFKA_BROKERS: o.brokers,
    TELEMETRY_TOPIC: name('telemetryTopic', o.telemetryTopic),
    WINDOWS_TOPIC: name('windowsTopic', o.windowsTopic),
    GROUP_ID: name('groupId', o.groupId),
    JOB_NAME: name('jobName', o.jobName),
    WINDOW_SECONDS: String(windowMs / 1000),
    WINDOW_MS: String(windowMs),
    OUT_OF_ORDERNESS_MS: String(ms('outOfOrdernessMs', o.outOfOrdernessMs)),
    ALLOWED_LATENESS_MS: String(ms('allowedLatenessMs', o.allowedLatenessMs)),
    WATERMARK_DELAY: ((o.outOfOrdernessMs + o.allowedLatenessMs + ms('clockSkewMs', o.clockSkewMs) + 1) / 1000).toFixed(3),
    IDLE_TIMEOUT: duration(ms('idleTimeoutMs', o.idleTimeoutMs)),
    CHECKPOINT_INTERVAL: duration(ms('checkpointIntervalMs', o.checkpointIntervalMs, { min: 100 })),
    STATE_TTL: duration(ms('stateTtlMs', o.stateTtlMs, { min: 1 })),
    SOURCE_STARTUP: startup,
    WINDOWS_FROM:
      o.windowsFromMs === undefined ? 'TRUE' : `window_end_ms - ${windowMs} >= ${ms('windowsFromMs', o.windowsFromMs)}`,
  };
  const template = readFileSync(COST_WINDOWS_SQL_PATH, 'utf8');
  return template.replace(/\$\{([A-Z_]+)\}/g, (m, k: string) => {
    if (!(k in values)) throw new Error(`cost-windows.sql: unknown placeholder ${m}`);
    return values[k];
  });
}

/** Splits SQL into statements at `;`, outside quotes and comments; comment-only pieces are left out. */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (quote) {
      cur += c;
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '`' || c === '"') {
      quote = c;
      cur += c;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end - 1;
    } else if (c === ';') {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}
