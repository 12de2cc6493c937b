import { join } from 'node:path';
import { serve } from '../../serving/serve.js';
import { parseCron, scheduleRetrain, VersionRegistry } from '../../training/index.js';
import { intFlag, parse, required, UsageError, type Command } from '../command.js';

const command: Command = {
  summary: 'serve the prediction and budget API',
  usage: `usage: lutflow serve --model DIR [--port N] [--host H] [--ledger DIR | --ledger-url URL] [--fsync always|never] [--history TABLE] [--dev-key]
                    [--retrain CRON --retrain-data TABLE] [--brokers LIST]

Serves POST /predict, POST /preflight, budgets with reservations, GET /models (reloads when DIR
changes), /healthz, /readyz, /metrics, /openapi.json. Logs are JSON lines (LUTFLOW_LOG_LEVEL).
API keys come from LUTFLOW_API_KEYS: "KEY=tenant1,tenant2;ADMINKEY=*" (keys of 16+ characters).
  --port N          default 8080 (0: any free port)
  --host H          default 127.0.0.1
  --ledger DIR      where budgets and reservations persist (default data/ledger)
  --ledger-url URL  keep them in PostgreSQL instead (postgres://user:pass@host:5432/db; env LUTFLOW_LEDGER_URL):
                    every replica on the same database is one ledger; the schema is migrated at start
  --fsync POLICY    always (default): a budget change is on disk before it is acknowledged (survives a
                    power cut); never: the OS writes it (survives a crash of the process, not of the machine)
  --history TABLE   replay a run table into the tenants' history first
  --dev-key         without LUTFLOW_API_KEYS, use a development key for all tenants (kept in the ledger dir)
  --model DIR       a model directory, or a registry (lutflow retrain, lutflow models): then DIR/current is
                    served and a promotion or rollback is picked up without a restart
  --retrain CRON    with a registry: run 'lutflow retrain --registry DIR --data TABLE' on this schedule
                    ("0 3 * * *": 03:00 daily; 6 fields for seconds first), each run a child process
  --retrain-data T  the runs table the schedule retrains from (a Delta folder, databricks:..., duckdb:...)
  --brokers LIST    Kafka (host:port,…; env LUTFLOW_KAFKA_BROKERS): the spend this server charges goes out on
                    lut.telemetry, and the dashboard and 'lutflow watch' show the windows of lut.cost-windows,
                    whichever engine writes them ('lutflow windows', or 'lutflow flink submit'). Closed windows
                    only: with 'lutflow windows' about 3 to 15 s after a window ends, with Flink about 45 s.
                    Without it the server windows what it charged itself, live.`,
  async run(argv, io) {
    const { values } = parse(argv, {
      model: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, ledger: { type: 'string' }, 'ledger-url': { type: 'string' }, fsync: { type: 'string' },
      history: { type: 'string' }, 'dev-key': { type: 'boolean' }, retrain: { type: 'string' }, 'retrain-data': { type: 'string' }, brokers: { type: 'string' },
    });
    const model = required(values.model, 'model');
    const registry = VersionRegistry.isRegistry(model);
    if (values.retrain) {
      if (!registry) throw new UsageError(`--retrain needs --model to be a registry (a directory with versions/), got '${model}'`);
      if (!values['retrain-data']) throw new UsageError('--retrain needs --retrain-data TABLE');
      try { parseCron(values.retrain); } catch (err) { throw new UsageError(`--retrain: '${values.retrain}' is not a cron expression: ${(err as Error).message}`); }
    }
    const brokers = brokersFlag(values.brokers ?? (process.env.LUTFLOW_KAFKA_BROKERS || undefined));
    const fsync = values.fsync ?? 'always';
    if (fsync !== 'always' && fsync !== 'never') throw new UsageError(`--fsync must be always or never, got '${fsync}'`);
    // A failed start (a port in use) ends the process even while a Kafka client still retries a broker that is away.
    const exitSoon = () => setTimeout(() => process.exit(), 1_000).unref();
    const s = await serve({
      modelDir: registry ? join(model, 'current') : model, host: values.host ?? '127.0.0.1', port: values.port === '0' ? 0 : intFlag(values.port, 'port', 8080),
      ledgerDir: values.ledger ?? 'data/ledger', ledgerFsync: fsync, ledgerUrl: values['ledger-url'], historyTable: values.history, devKey: !!values['dev-key'], log: io.err,
      kafkaBrokers: brokers,
    }).catch((err: unknown) => {
      exitSoon();
      throw err;
    });
    io.err(`listening on ${s.address}${s.devKey ? ` (development key: ${s.devKey})` : ''}`);
    io.err(`dashboard: ${s.address}/ui`);
    if (brokers?.length) io.err(`spend out on lut.telemetry, windows in from lut.cost-windows (${brokers.join(',')})`);
    const schedule = values.retrain
      ? scheduleRetrain({ cron: values.retrain, args: ['--registry', model, '--data', values['retrain-data']!], log: io.err })
      : undefined;
    if (schedule) io.err(`retraining on '${values.retrain}', next at ${schedule.next()?.toISOString()}`);
    // SIGTERM (a supervisor, Kubernetes) or Ctrl-C: finish in-flight requests, close the ledger (and Kafka), exit.
    await new Promise<void>((resolve) => {
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        process.once(signal, () => void s.app.close().finally(async () => { await schedule?.stop(); resolve(); }));
      }
    });
    // Closed: a client still connecting to a broker that is away must not keep the process alive.
    exitSoon();
  },
};
/** `host:port,…`; undefined when not given; an empty or malformed list is a usage error. */
function brokersFlag(v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const list = v.split(',').map((b) => b.trim());
  const bad = list.find((b) => {
    const m = /^([^\s:/]+):(\d{1,5})$/.exec(b);
    return !m || Number(m[2]) < 1 || Number(m[2]) > 65_535;
  });
  if (bad !== undefined) throw new UsageError(`--brokers must be host:port[,host:port…] (ports 1 to 65535), got '${bad}' in '${v}'`);
  return list;
}
export default command;
