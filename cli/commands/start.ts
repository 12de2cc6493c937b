import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CARD_FILE } from '../../model/index.js';
import { readRunRecords, trainPcpo, VersionRegistry } from '../../training/index.js';
import { serve } from '../../serving/serve.js';
import { intFlag, parse, type Command } from '../command.js';
import { SAMPLE_TABLE, writeSample } from './sample.js';

const DEMO_BUDGET_USD = 100;

const command: Command = {
  summary: 'run the main job',
  usage: `usage: lutflow start [--data DIR] [--models DIR] [--port N]

The main job on the embedded default, no external service: generates the sample under DIR
(default data/sample) if it is missing, trains the PCPO model into the model registry models/pcpo
(--models; versions/ and a current pointer, what lutflow retrain and lutflow models work on) if it
has none, serves the current version (a later promotion or rollback is picked up without a restart),
replays the sample into the tenants' history, gives each sample tenant a $${DEMO_BUDGET_USD} budget if it has none,
and serves on 127.0.0.1:8080 (PORT or --port to change), printing an example curl.
API keys: LUTFLOW_API_KEYS, or a development key kept in data/ledger/dev-api-key.`,
  async run(argv, io) {
    const { values } = parse(argv, { data: { type: 'string' }, models: { type: 'string' }, port: { type: 'string' } });
    const dir = values.data ?? 'data/sample';
    const table = join(dir, SAMPLE_TABLE);
    const models = values.models ?? 'models/pcpo';
    if (!existsSync(join(table, '_delta_log'))) await writeSample(dir, { seed: 42, runs: 3000, force: false }, io);
    // A plain model directory (an earlier layout, or lutflow train --out) is served as it is.
    const registry = existsSync(join(models, CARD_FILE)) ? undefined : new VersionRegistry(models).init();
    if (registry && !registry.current()) {
      io.err(`no model in ${models}: training on ${table}…`);
      const { records, version } = await readRunRecords(table);
      const staging = join(registry.versionsDir, `.first-${process.pid}`);
      rmSync(staging, { recursive: true, force: true });
      trainPcpo({ records, out: staging, source: table, deltaVersion: version, onProgress: (l) => io.err(l) });
      const trained = registry.add(staging);
      registry.promote(trained, `the first model, trained by lutflow start on ${table}`);
      io.err(`trained ${trained}`);
    }
    const modelDir = registry ? registry.pointer : models;
    const port = values.port !== undefined ? (values.port === '0' ? 0 : intFlag(values.port, 'port')) : process.env.PORT ? intFlag(process.env.PORT, 'PORT') : 8080;
    const s = await serve({ modelDir, host: '127.0.0.1', port, ledgerDir: 'data/ledger', historyTable: table, devKey: true, log: io.err });
    for (const tenant of s.context.builder.history.tenantIds()) {
      if (!(await s.context.ledger.has(tenant))) await s.context.ledger.create({ tenant_id: tenant, limit_micros: DEMO_BUDGET_USD * 1e6, window: 'monthly' });
    }
    const key = s.devKey ?? '$YOUR_KEY';
    io.out(`lutflow serving on ${s.address} (model ${s.context.registry.model?.version})`);
    io.out(`dashboard: ${s.address}/ui (sign in with the API key ${key})`);
    io.out(`try:\n  curl -s ${s.address}/preflight -H 'authorization: Bearer ${key}' -H 'content-type: application/json' \\\n    -d '{"tenant_id":"acme","plan":{"kind":"self_hosted","model":"llama-3-70b","gpu_type":"H100","gpu_count":4,"framework":"vllm","batch_size":16,"requests":640,"prompt_tokens":512,"max_output_tokens":256}}'`);
    io.out(`  curl -s ${s.address}/budgets/acme -H 'authorization: Bearer ${key}'`);
    if (registry) io.out(`retrain (promoted only if not worse; served without a restart):\n  npx lutflow retrain --registry ${models} --data ${table}`);
    await new Promise<void>((resolve) => s.app.server.on('close', () => resolve()));
  },
};
export default command;
