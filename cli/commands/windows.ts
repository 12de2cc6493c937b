import { runKafkaCostWindows, type CostWindowJob } from '../../stream/index.js';
import { parse, UsageError, type Command } from '../command.js';
import { counters, duration, gauge, lagGauge, runWorker, setting, type Metric } from '../worker.js';

const command: Command = {
  summary: 'the cost-window job: lut.telemetry in, 10-second windows out on lut.cost-windows (long-lived)',
  usage: `usage: lutflow windows [options]

Runs the cost-window job on Kafka until SIGINT/SIGTERM: per tenant and per deployment, tumbling windows
in event time, exactly once across restarts (one Kafka transaction per commit holds the windows, the
dead letters, the job's state and the offsets). Logs are JSON lines on stderr; metrics in the Prometheus
text format at /metrics, health at /healthz. Creates its topics if missing. Exits non-zero when it cannot
go on (after --give-up-after without progress, or a fatal error) so that a supervisor restarts it.
Run one instance per group: a second one fences the first.

  --brokers LIST          Kafka brokers, host:port,…           env KAFKA_BROKERS
  --group ID              consumer group and state             env LUTFLOW_WINDOWS_GROUP  (lutflow-cost-windows)
  --window DURATION       window size                          env LUTFLOW_WINDOW          (10s)
  --out-of-orderness D    events this late are on time         env LUTFLOW_OUT_OF_ORDERNESS (2s)
  --lateness D            late events update a window this long env LUTFLOW_LATENESS        (30s)
  --idle-timeout D        a quiet tenant's windows close after env LUTFLOW_IDLE_TIMEOUT    (10s; 0 = never)
  --commit-interval D     how often output and offsets commit  env LUTFLOW_COMMIT_INTERVAL (1s)
  --give-up-after D       exit 1 after this long without progress                       (2m)
  --metrics HOST:PORT     Prometheus endpoint                  env LUTFLOW_METRICS         (127.0.0.1:9464; 0: any port)
Durations: 500ms, 10s, 2m. Log level: LUTFLOW_LOG_LEVEL (error, warn, info, debug).`,
  async run(argv) {
    const { values } = parse(argv, {
      brokers: { type: 'string' },
      group: { type: 'string' },
      window: { type: 'string' },
      'out-of-orderness': { type: 'string' },
      lateness: { type: 'string' },
      'idle-timeout': { type: 'string' },
      'commit-interval': { type: 'string' },
      'give-up-after': { type: 'string' },
      metrics: { type: 'string' },
    });
    const config = {
      groupId: setting(values.group, 'LUTFLOW_WINDOWS_GROUP', 'lutflow-cost-windows')!,
      sizeMs: duration(setting(values.window, 'LUTFLOW_WINDOW'), '--window', 10_000),
      outOfOrdernessMs: duration(
        setting(values['out-of-orderness'], 'LUTFLOW_OUT_OF_ORDERNESS'),
        '--out-of-orderness',
        2_000,
      ),
      allowedLatenessMs: duration(setting(values.lateness, 'LUTFLOW_LATENESS'), '--lateness', 30_000),
      idleTimeoutMs: duration(setting(values['idle-timeout'], 'LUTFLOW_IDLE_TIMEOUT'), '--idle-timeout', 10_000),
      commitIntervalMs: duration(
        setting(values['commit-interval'], 'LUTFLOW_COMMIT_INTERVAL'),
        '--commit-interval',
        1_000,
      ),
      giveUpAfterMs: duration(values['give-up-after'], '--give-up-after', 120_000),
    };
    if (config.sizeMs < 1) throw new UsageError('--window must be positive');
    await runWorker<CostWindowJob>({
      name: 'windows',
      brokers: values.brokers,
      metrics: values.metrics,
      defaultMetrics: '127.0.0.1:9464',
      config,
      start: (kafka, log) => runKafkaCostWindows({ kafka, log, ...config }),
      render: (job) => windowMetrics(job.stats()),
      summary: (job) => job.stats(),
    });
  },
};
export default command;

const COUNTERS = {
  events: ['events_total', 'distinct events added to windows'],
  duplicates: ['duplicate_events_total', 'events whose id a window already counted'],
  late: ['late_events_total', 'events after the watermark passed their window, within the allowed lateness'],
  tooLate: ['too_late_events_total', 'events past the allowed lateness, not added to any window'],
  windowsPublished: ['published_total', 'window states published on lut.cost-windows (committed)'],
  deadLetters: ['dead_letters_total', 'invalid telemetry records sent to lut.telemetry.dlq (committed)'],
  commits: ['commits_total', 'Kafka transactions committed by this process'],
  restarts: ['restarts_total', 'restarts from the recorded state after a failure'],
} as const;

function windowMetrics(s: ReturnType<CostWindowJob['stats']>): Metric[] {
  return [
    ...counters('windows', s, COUNTERS),
    gauge('lutflow_windows_open', 'windows held in memory', s.openWindows),
    lagGauge('lutflow_windows_consumer_lag', 'telemetry records not read yet, per partition', Object.entries(s.lag)),
  ];
}
