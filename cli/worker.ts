import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kafka } from 'kafkajs';
import { createKafka } from '../stream/index.js';
import type { JobLog } from '../stream/kafka/supervise.js';
import { UsageError } from './command.js';

/**
 * What the long-lived commands (`lutflow windows`, `lutflow sink`) share: configuration from flags then
 * environment, JSON log lines on stderr, a Prometheus endpoint, and a clean stop on SIGINT/SIGTERM.
 */

const LEVELS = { error: 0, warn: 1, info: 2, debug: 3 } as const;

/** One JSON object per line on stderr: time, level, component, message, then the fields. */
export function jsonLog(
  component: string,
  level = process.env.LUTFLOW_LOG_LEVEL ?? 'info',
  write = (l: string) => process.stderr.write(`${l}\n`),
): JobLog {
  const max = LEVELS[level as keyof typeof LEVELS] ?? LEVELS.info;
  return (lvl, msg, fields = {}) => {
    if (LEVELS[lvl] > max) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: lvl, component, msg, ...fields }));
  };
}

/** A flag's value, else the environment variable's, else the default. */
export function setting(flag: string | undefined, envName: string, fallback?: string): string | undefined {
  return flag ?? process.env[envName] ?? fallback;
}

/** `1500`, `500ms`, `10s`, `2m` → milliseconds; 0 allowed. */
export function duration(v: string | undefined, name: string, fallbackMs: number): number {
  if (v === undefined || v === '') return fallbackMs;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(v.trim());
  if (!m) throw new UsageError(`${name}: expected a duration such as 500ms, 10s or 2m, got '${v}'`);
  return Math.round(Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 'ms') as 'ms']);
}

export function count(v: string | undefined, name: string, fallback: number, min = 1): number {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name}: expected an integer ≥ ${min}, got '${v}'`);
  return n;
}

export function brokerList(v: string | undefined): string[] {
  const list = (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!list.length) throw new UsageError('no Kafka brokers: pass --brokers HOST:PORT[,…] or set KAFKA_BROKERS');
  return list;
}

export interface Metric {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly samples: readonly { labels?: Record<string, string>; value: number }[];
}

/** Counters read from a stats object: `{ statKey: [metric name, help] }`, under `lutflow_<prefix>_`. */
export function counters(prefix: string, stats: object, names: Record<string, readonly [string, string]>): Metric[] {
  const values = stats as Record<string, number>;
  return Object.entries(names).map(([key, [name, help]]) => ({
    name: `lutflow_${prefix}_${name}`,
    help,
    type: 'counter',
    samples: [{ value: values[key] ?? 0 }],
  }));
}

/** A gauge, and a per-partition lag gauge. */
export const gauge = (name: string, help: string, value: number): Metric => ({
  name,
  help,
  type: 'gauge',
  samples: [{ value }],
});
export const lagGauge = (name: string, help: string, lag: Iterable<readonly [string | number, number]>): Metric => ({
  name,
  help,
  type: 'gauge',
  samples: [...lag].map(([p, value]) => ({ labels: { partition: String(p) }, value })),
});

export function renderMetrics(metrics: readonly Metric[]): string {
  const out: string[] = [];
  for (const m of metrics) {
    out.push(`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`);
    for (const s of m.samples) {
      const labels = Object.entries(s.labels ?? {})
        .map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`)
        .join(',');
      out.push(`${m.name}${labels ? `{${labels}}` : ''} ${s.value}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** `host:port` (or a port) → a listening endpoint with GET /metrics and GET /healthz. */
export async function serveMetrics(
  address: string,
  metrics: () => Metric[] | Promise<Metric[]>,
  healthy: () => boolean,
): Promise<{ url: string; close(): Promise<void> }> {
  const i = address.lastIndexOf(':');
  const host = i >= 0 ? address.slice(0, i) : '127.0.0.1';
  const port = Number(i >= 0 ? address.slice(i + 1) : address);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--metrics: expected HOST:PORT or PORT, got '${address}'`);
  const server: Server = createServer((req, res) => {
    if (req.url === '/metrics') {
      Promise.resolve(metrics()).then(
        (m) => {
          res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
          res.end(renderMetrics(m));
        },
        (err) => {
          res.writeHead(500);
          res.end(String(err));
        },
      );
    } else if (req.url === '/healthz') {
      const ok = healthy();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok }));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`metrics endpoint ${address}: ${(err as Error).message}`)));
    server.listen(port, host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  return { url: `http://${a.address}:${a.port}`, close: () => new Promise((r) => server.close(() => r())) };
}

/**
 * Runs a job until SIGINT/SIGTERM (then stops it cleanly) or until it fails (then throws: the command
 * exits non-zero so a supervisor starts it again).
 */
export async function untilStopped(job: { done: Promise<void>; stop(): Promise<void> }, log: JobLog): Promise<void> {
  let signalled = false;
  const onSignal = (sig: string) => {
    if (signalled) return;
    signalled = true;
    log('info', `${sig}: stopping`);
    void job.stop();
  };
  const term = () => onSignal('SIGTERM');
  const int = () => onSignal('SIGINT');
  process.on('SIGTERM', term);
  process.on('SIGINT', int);
  try {
    await job.done;
  } finally {
    process.off('SIGTERM', term);
    process.off('SIGINT', int);
  }
}

export interface WorkerSpec<J extends { done: Promise<void>; stop(): Promise<void> }> {
  /** Component name in the logs, and the Kafka client id (`lutflow-<name>`). */
  readonly name: string;
  /** --brokers, else KAFKA_BROKERS. */
  readonly brokers: string | undefined;
  /** --metrics, else LUTFLOW_METRICS, else this. */
  readonly metrics: string | undefined;
  readonly defaultMetrics: string;
  /** The settings, logged when it starts. */
  readonly config: Record<string, unknown>;
  start(kafka: Kafka, log: JobLog): J | Promise<J>;
  render(job: J): Metric[] | Promise<Metric[]>;
  /** Stats logged when it stops. */
  summary(job: J): object;
  /** Runs beside the job (e.g. stop once caught up); returns its cleanup. */
  alongside?(job: J): () => void;
}

/**
 * A long-lived worker: JSON logs (kafkajs's own lines included, as warnings at most), the job started
 * with its Kafka client, /metrics and /healthz served, then it runs until SIGINT/SIGTERM or until it
 * cannot go on (the command then exits 1).
 */
export async function runWorker<J extends { done: Promise<void>; stop(): Promise<void> }>(
  spec: WorkerSpec<J>,
): Promise<void> {
  const log = jsonLog(spec.name);
  const brokers = brokerList(setting(spec.brokers, 'KAFKA_BROKERS'));
  const kafka = createKafka({
    brokers,
    clientId: `lutflow-${spec.name}`,
    log: (level, msg, extra) =>
      log(level === 'error' ? 'warn' : level, `kafkajs: ${msg}`, { broker: (extra as { broker?: string }).broker }),
  });
  const job = await spec.start(kafka, log);
  const address = setting(spec.metrics, 'LUTFLOW_METRICS', spec.defaultMetrics)!;
  const metrics = await serveMetrics(
    address,
    () => spec.render(job),
    () => true,
  ).catch(async (err) => {
    await job.stop();
    throw err;
  });
  log('info', 'started', { brokers, ...spec.config, metrics: `${metrics.url}/metrics` });
  const cleanup = spec.alongside?.(job);
  try {
    await untilStopped(job, log);
    log('info', 'stopped', { ...spec.summary(job) });
  } finally {
    cleanup?.();
    await metrics.close();
  }
}
