import { runRecordSink, type RunRecordSink } from '../../training/index.js';
import { parse, type Command } from '../command.js';
import { count, counters, duration, gauge, lagGauge, runWorker, setting, type Metric } from '../worker.js';

const command: Command = {
  summary: 'the run-record sink: lut.pcpo-features into the Delta table (long-lived)',
  usage: `usage: lutflow sink [options]

Lands finished runs from lut.pcpo-features in the pcpo_runs Delta table, exactly once per run id, until
SIGINT/SIGTERM (or, with --once, until it has caught up). One Delta commit per --flush-rows records or
--flush-interval; a checkpoint every 10 commits; small files compacted when --compact-files pile up.
A failed append is retried; a full disk stops it (exit 1) with nothing committed, so the next start lands
the same records. Logs are JSON lines on stderr; Prometheus metrics at /metrics. Creates its topics if missing.

  --brokers LIST        Kafka brokers, host:port,…             env KAFKA_BROKERS
  --group ID            consumer group                         env LUTFLOW_SINK_GROUP   (lutflow-run-records)
  --table DIR           the Delta table                        env LUTFLOW_RUNS_TABLE   (data/pcpo_runs)
  --flush-rows N        records per Delta commit at most                                 (5000)
  --flush-interval D    longest a record waits for its commit                            (2s)
  --compact-files N     compact when this many small files exist (0: never)              (50)
  --give-up-after D     exit 1 after this long without landing what it holds            (2m)
  --metrics HOST:PORT   Prometheus endpoint                    env LUTFLOW_METRICS      (127.0.0.1:9465; 0: any port)
  --once                exit 0 once every record present at start has landed`,
  async run(argv) {
    const { values } = parse(argv, {
      brokers: { type: 'string' },
      group: { type: 'string' },
      table: { type: 'string' },
      'flush-rows': { type: 'string' },
      'flush-interval': { type: 'string' },
      'compact-files': { type: 'string' },
      'give-up-after': { type: 'string' },
      metrics: { type: 'string' },
      once: { type: 'boolean' },
    });
    const config = {
      table: setting(values.table, 'LUTFLOW_RUNS_TABLE', 'data/pcpo_runs')!,
      groupId: setting(values.group, 'LUTFLOW_SINK_GROUP', 'lutflow-run-records')!,
      flushRows: count(values['flush-rows'], '--flush-rows', 5000),
      flushIntervalMs: duration(values['flush-interval'], '--flush-interval', 2000),
      compactFiles: count(values['compact-files'], '--compact-files', 50, 0),
      giveUpAfterMs: duration(values['give-up-after'], '--give-up-after', 120_000),
    };
    await runWorker<RunRecordSink>({
      name: 'sink',
      brokers: values.brokers,
      metrics: values.metrics,
      defaultMetrics: '127.0.0.1:9465',
      config,
      start: (kafka, log) => runRecordSink({ kafka, log, ...config }),
      render: sinkMetrics,
      summary: (sink) => sink.stats,
      alongside: values.once ? stopWhenCaughtUp : undefined,
    });
  },
};
export default command;

const COUNTERS = {
  appended: ['appended_total', 'finished runs landed in the table'],
  skippedDuplicates: ['duplicate_runs_total', 'run ids already in the table, skipped'],
  unfinished: ['unfinished_runs_total', 'run records without an outcome (not landed)'],
  deadLetters: ['dead_letters_total', 'invalid run records sent to lut.pcpo-features.dlq'],
  commits: ['commits_total', 'Delta commits written'],
  compactions: ['compactions_total', 'compactions of the table'],
  appendFailures: ['append_failures_total', 'failed Delta appends (each retried or fatal)'],
} as const;

/** --once: stops the sink when nothing is left to read (as of now) and nothing is held. */
function stopWhenCaughtUp(sink: RunRecordSink): () => void {
  let timer: NodeJS.Timeout | undefined;
  const check = async () => {
    const lag = await sink.lag().catch(() => undefined);
    if (lag && [...lag.values()].every((n) => n === 0) && sink.stats.held === 0) await sink.stop();
    else timer = setTimeout(() => void check(), 250);
  };
  void check();
  return () => clearTimeout(timer);
}

async function sinkMetrics(sink: RunRecordSink): Promise<Metric[]> {
  const lag = await sink.lag().catch(() => new Map<number, number>());
  return [
    ...counters('sink', sink.stats, COUNTERS),
    {
      name: 'lutflow_sink_restarts_total',
      help: 'restarts from the table state after a failure',
      type: 'counter',
      samples: [{ value: sink.restarts }],
    },
    gauge('lutflow_sink_held', 'records held for the next commit', sink.stats.held),
    lagGauge('lutflow_sink_consumer_lag', 'run records not landed yet, per partition', lag),
  ];
}
