import { join } from 'node:path';
import { serve } from '../../serving/serve.js';
import { parseCron, scheduleRetrain, VersionRegistry } from '../../training/index.js';
import { intFlag, parse, required, UsageError, type Command } from '../command.js';

const command: Command = {
  summary: 'serve the prediction and budget API',
  usage: `usage: lutflow serve --model DIR [--port N] [--host H] [--ledger DIR | --ledger-url URL] [--fsync always|never] [--history TABLE] [--dev-key]
                    [--retrain CRON --retrain-data TABLE]

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
  --retrain-data T  the runs table the schedule retrains from (a Delta folder, databricks:..., duckdb:...)`,
  async run(argv, io) {
    const { values } = parse(argv, {
      model: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, ledger: { type: 'string' }, 'ledger-url': { type: 'string' }, fsync: { type: 'string' },
      history: { type: 'string' }, 'dev-key': { type: 'boolean' }, retrain: { type: 'string' }, 'retrain-data': { type: 'string' },
    });
    const model = required(values.model, 'model');
    const registry = VersionRegistry.isRegistry(model);
    if (values.retrain) {
      if (!registry) throw new UsageError(`--retrain needs --model to be a registry (a directory with versions/), got '${model}'`);
      if (!values['retrain-data']) throw new UsageError('--retrain needs --retrain-data TABLE');
      try { parseCron(values.retrain); } catch (err) { throw new UsageError(`--retrain: '${values.retrain}' is not a cron expression: ${(err as Error).message}`); }
    }
    const fsync = values.fsync ?? 'always';
    if (fsync !== 'always' && fsync !== 'never') throw new UsageError(`--fsync must be always or never, got '${fsync}'`);
    const s = await serve({
      modelDir: registry ? join(model, 'current') : model, host: values.host ?? '127.0.0.1', port: values.port === '0' ? 0 : intFlag(values.port, 'port', 8080),
      ledgerDir: values.ledger ?? 'data/ledger', ledgerFsync: fsync, ledgerUrl: values['ledger-url'], historyTable: values.history, devKey: !!values['dev-key'], log: io.err,
    });
    io.err(`listening on ${s.address}${s.devKey ? ` (development key: ${s.devKey})` : ''}`);
    io.err(`dashboard: ${s.address}/ui`);
    const schedule = values.retrain
      ? scheduleRetrain({ cron: values.retrain, args: ['--registry', model, '--data', values['retrain-data']!], log: io.err })
      : undefined;
    if (schedule) io.err(`retraining on '${values.retrain}', next at ${schedule.next()?.toISOString()}`);
    s.app.server.on('close', () => schedule?.stop());
    // SIGTERM (a supervisor, Kubernetes) or Ctrl-C: finish in-flight requests, close the ledger, exit.
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void s.app.close());
    await new Promise<void>((resolve) => s.app.server.on('close', () => resolve()));
  },
};
export default command;
