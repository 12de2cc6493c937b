import { FlinkGatewayError } from '../../stream/flink/gateway.js';
import { FlinkJobOptionError, renderCostWindowsSql, type FlinkJobOptions, type FlinkStartFrom } from '../../stream/flink/job.js';
import { jobCheckpoints, lateRecordsDropped } from '../../stream/flink/rest.js';
import { listJobs, stopJob, submitCostWindows } from '../../stream/flink/submit.js';
import { parse, UsageError, type Command, type Io } from '../command.js';
import { table } from '../format.js';
import { duration, setting } from '../worker.js';

const JOB_OPTIONS = `job options (sql, submit):
  --brokers LIST          Kafka brokers as the Flink cluster reaches them   env KAFKA_BROKERS
  --name NAME             job name, prefix of its Kafka transactional ids   (lutflow-cost-windows)
  --group ID              the source's consumer group                       (lutflow-flink-cost-windows)
  --telemetry-topic T     (lut.telemetry)        --windows-topic T  (lut.cost-windows)
  --window D              window size, whole seconds                        (10s)
  --out-of-orderness D    events this late on their tenant's clock are on time (2s)
  --lateness D            later events still count, up to this              (30s)
  --clock-skew D          how far a tenant's clock may trail the newest event read (10s)
  --idle-timeout D        a partition quiet this long stops holding event time back (1m)
  --checkpoint-interval D windows are committed to Kafka with each checkpoint (2s)
  --state-ttl D           event ids and tenant clocks are kept this long    (1h)
  --start WHERE           group-offsets (default: from the group's committed offsets, else the
                          earliest), earliest, latest, or a time (ISO 8601 or epoch ms: the first
                          record at or after it, by its Kafka timestamp)
  --windows-from TIME     publish only the windows starting at or after TIME (event time): taking
                          over from lutflow windows, which keeps the earlier ones (README "Switching
                          engines"); default every window`;

const usage = `usage: lutflow flink sql [job options]
       lutflow flink submit --gateway URL [--restore PATH] [job options] [--json]
       lutflow flink status --gateway URL [--rest URL] [--name NAME] [--json]
       lutflow flink stop --gateway URL [--name NAME | --job ID] [--json]

The cost windows on Apache Flink (2.2, Kafka connector 5.0): the same 10-second windows per tenant and per
deployment as \`lutflow windows\`, written to lut.cost-windows in the same records (each window once, when it
is final). See README "Cost windows on Flink" for what differs and why.

  sql      print the Flink SQL job with these options filled in (for a managed Flink or the SQL client)
  submit   run it through a Flink SQL Gateway (REST API: a session, its statements); prints the job id.
           A job of the same name still running is refused. --restore starts from a savepoint or a
           retained checkpoint (its positions, windows and event ids)
  status   the cluster's jobs of that name (SHOW JOBS); with --rest, the JobManager's REST API adds the
           checkpoints (the newest is what --restore takes) and the events dropped as too late
  stop     stop the job with a savepoint and print its path (for submit --restore)

  --gateway URL           SQL Gateway, e.g. http://127.0.0.1:8083   env LUTFLOW_FLINK_GATEWAY
  --rest URL              JobManager REST API, e.g. http://127.0.0.1:8081   env LUTFLOW_FLINK_REST
  --json                  one JSON object instead of text

${JOB_OPTIONS}
Durations: 500ms, 10s, 2m, 1h.

examples:
  lutflow flink sql --brokers kafka:9092 > cost-windows.sql
  lutflow flink submit --gateway http://flink:8083 --brokers kafka:9092
  lutflow flink status --gateway http://flink:8083 --rest http://flink:8081
  lutflow flink stop --gateway http://flink:8083
  lutflow flink submit --gateway http://flink:8083 --brokers kafka:9092 --restore <path from status or stop>
  taking over from lutflow windows stopped at 12:00 (README "Switching engines"):
  lutflow flink submit --gateway http://flink:8083 --brokers kafka:9092 \\
    --start 2026-05-01T11:58:00Z --windows-from 2026-05-01T11:59:00Z`;

const FLAGS = {
  gateway: { type: 'string' },
  rest: { type: 'string' },
  restore: { type: 'string' },
  job: { type: 'string' },
  json: { type: 'boolean' },
  brokers: { type: 'string' },
  name: { type: 'string' },
  group: { type: 'string' },
  'telemetry-topic': { type: 'string' },
  'windows-topic': { type: 'string' },
  window: { type: 'string' },
  'out-of-orderness': { type: 'string' },
  lateness: { type: 'string' },
  'clock-skew': { type: 'string' },
  'idle-timeout': { type: 'string' },
  'checkpoint-interval': { type: 'string' },
  'state-ttl': { type: 'string' },
  start: { type: 'string' },
  'windows-from': { type: 'string' },
} as const;

type Values = ReturnType<typeof parse<typeof FLAGS>>['values'];

/** ISO 8601 or epoch milliseconds. */
function time(flag: string, v: string, expected = 'a time (ISO 8601 or epoch ms)'): number {
  const ms = /^\d+$/.test(v) ? Number(v) : /^\d{4}-\d{2}-\d{2}/.test(v) ? Date.parse(v) : NaN;
  if (!Number.isSafeInteger(ms) || ms < 0) throw new UsageError(`--${flag}: expected ${expected}, got '${v}'`);
  return ms;
}

function startFrom(v: string | undefined): FlinkStartFrom | undefined {
  if (v === undefined || v === 'group-offsets' || v === 'earliest' || v === 'latest') return v;
  return { timestampMs: time('start', v, 'group-offsets, earliest, latest or a time (ISO 8601 or epoch ms)') };
}

function jobOptions(v: Values): FlinkJobOptions {
  const d = (flag: keyof Values, fallback: number) => duration(v[flag] as string | undefined, `--${flag}`, fallback);
  const brokers = setting(v.brokers, 'KAFKA_BROKERS');
  if (!brokers) throw new UsageError('--brokers is required (or KAFKA_BROKERS): the Kafka brokers as the Flink cluster reaches them');
  return {
    brokers,
    jobName: v.name,
    groupId: v.group,
    telemetryTopic: v['telemetry-topic'],
    windowsTopic: v['windows-topic'],
    windowMs: d('window', 10_000),
    outOfOrdernessMs: d('out-of-orderness', 2_000),
    allowedLatenessMs: d('lateness', 30_000),
    clockSkewMs: d('clock-skew', 10_000),
    idleTimeoutMs: d('idle-timeout', 60_000),
    checkpointIntervalMs: d('checkpoint-interval', 2_000),
    stateTtlMs: d('state-ttl', 3_600_000),
    startFrom: startFrom(v.start),
    windowsFromMs: v['windows-from'] === undefined ? undefined : time('windows-from', v['windows-from']),
  };
}

/** The flag behind each job option, for errors in the user's terms. */
const FLAG_OF: Record<string, string> = {
  brokers: '--brokers', jobName: '--name', groupId: '--group', telemetryTopic: '--telemetry-topic',
  windowsTopic: '--windows-topic', windowMs: '--window', outOfOrdernessMs: '--out-of-orderness',
  allowedLatenessMs: '--lateness', clockSkewMs: '--clock-skew', idleTimeoutMs: '--idle-timeout',
  checkpointIntervalMs: '--checkpoint-interval', stateTtlMs: '--state-ttl', 'startFrom.timestampMs': '--start',
  windowsFromMs: '--windows-from',
};

function url(flag: string, v: string | undefined, env: string, example: string): string | undefined {
  const u = setting(v, env);
  if (u === undefined) return undefined;
  let protocol: string | undefined;
  try {
    protocol = new URL(u).protocol;
  } catch {
    // not a URL
  }
  if (protocol !== 'http:' && protocol !== 'https:')
    throw new UsageError(`--${flag}${v === undefined ? ` (${env})` : ''}: expected an http(s) URL such as ${example}, got '${u}'`);
  return u;
}

const gatewayOf = (v: Values) => {
  const g = url('gateway', v.gateway, 'LUTFLOW_FLINK_GATEWAY', 'http://127.0.0.1:8083');
  if (!g) throw new UsageError('--gateway is required (or LUTFLOW_FLINK_GATEWAY): the Flink SQL Gateway, e.g. http://127.0.0.1:8083');
  return g;
};

async function status(v: Values, io: Io): Promise<void> {
  const name = v.name ?? 'lutflow-cost-windows';
  const rest = url('rest', v.rest, 'LUTFLOW_FLINK_REST', 'http://127.0.0.1:8081');
  const jobs = await listJobs(gatewayOf(v), name);
  const detailed = await Promise.all(
    jobs.map(async (j) => {
      if (!rest) return { ...j };
      // A cancelled job's newest checkpoint is retained: it is what --restore takes.
      const checkpoints = await jobCheckpoints(rest, j.jobId);
      if (j.status !== 'RUNNING') return { ...j, checkpoints };
      return { ...j, checkpoints, lateDropped: await lateRecordsDropped(rest, j.jobId) };
    }),
  );
  if (v.json) {
    io.out(JSON.stringify({ name, jobs: detailed }));
    return;
  }
  if (!detailed.length) {
    io.out(`no job named ${name} on this cluster (lutflow flink submit starts one)`);
    return;
  }
  const rows = detailed.map((j) => {
    const c = 'checkpoints' in j ? j.checkpoints : undefined;
    const age = c?.latestAt ? `${Math.max(0, Math.round((Date.now() - c.latestAt) / 1000))}s ago` : '';
    return [j.jobId, j.status, j.startTime ?? '', c ? `${c.completed} ok, ${c.failed} failed ${age}` : '', 'lateDropped' in j ? String(j.lateDropped) : ''];
  });
  io.out(table(['job', 'status', 'started', 'checkpoints', 'too late'], rows));
  const latest = detailed.find((j) => 'checkpoints' in j && j.checkpoints?.latestPath);
  if (latest && 'checkpoints' in latest) io.out(`newest checkpoint: ${latest.checkpoints!.latestPath}`);
}

const command: Command = {
  summary: 'the cost windows on Apache Flink: print the SQL job, submit it through a SQL Gateway, status, stop',
  usage,
  async run(argv, io) {
    const { values, positionals } = parse(argv, FLAGS);
    const [sub, ...extra] = positionals;
    if (extra.length) throw new UsageError(`unexpected argument '${extra[0]}'`);
    try {
      if (sub === 'sql') io.out(renderCostWindowsSql(jobOptions(values)));
      else if (sub === 'submit') {
        const r = await submitCostWindows({ ...jobOptions(values), gateway: gatewayOf(values), restorePath: values.restore });
        io.out(values.json ? JSON.stringify(r) : `submitted ${r.jobName} to Flink ${r.flinkVersion}: job ${r.jobId}`);
      } else if (sub === 'status') await status(values, io);
      else if (sub === 'stop') {
        const gateway = gatewayOf(values);
        const name = values.name ?? 'lutflow-cost-windows';
        if (values.job !== undefined && !/^[0-9a-f]{32}$/.test(values.job))
          throw new UsageError(`--job: expected a Flink job id (32 hex digits, see lutflow flink status), got '${values.job}'`);
        const jobId = values.job ?? (await listJobs(gateway, name)).find((j) => j.status === 'RUNNING')?.jobId;
        if (!jobId) throw new FlinkGatewayError(`no running job named ${name}`);
        const savepoint = await stopJob(gateway, jobId);
        io.out(values.json ? JSON.stringify({ jobId, savepoint }) : `stopped ${jobId}; savepoint ${savepoint ?? '(none reported)'}`);
      } else throw new UsageError(sub ? `unknown subcommand '${sub}'` : 'a subcommand is required: sql, submit, status or stop');
    } catch (err) {
      if (err instanceof FlinkJobOptionError) throw new UsageError(err.message.replace(err.field, FLAG_OF[err.field] ?? err.field));
      throw err;
    }
  },
};

export default command;
