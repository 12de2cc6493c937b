import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CARD_FILE } from '../../model/index.js';
import { readRunRecords, trainPcpo } from '../../training/index.js';
import { serve } from '../../serving/serve.js';
import { intFlag, parse, type Command } from '../command.js';
import { SAMPLE_TABLE, writeSample } from './sample.js';

const DEMO_BUDGET_USD = 100;

const command: Command = {
  summary: 'run the main job',
  usage: `usage: lutflow start [--data DIR] [--models DIR] [--port N]

The main job on the embedded default, no external service: generates the sample under DIR
(default data/sample) if it is missing, trains the PCPO model into models/pcpo if there is none,
replays the sample into the tenants' history, gives each sample tenant a $${DEMO_BUDGET_USD} budget if it has none,
and serves on 127.0.0.1:8080 (PORT or --port to change), printing an example curl.
API keys: LUTFLOW_API_KEYS, or a development key kept in data/ledger/dev-api-key.`,
  async run(argv, io) {
    const { values } = parse(argv, { data: { type: 'string' }, models: { type: 'string' }, port: { type: 'string' } });
    const dir = values.data ?? 'data/sample';
    const table = join(dir, SAMPLE_TABLE);
    const modelDir = values.models ?? 'models/pcpo';
    if (!existsSync(join(table, '_delta_log'))) await writeSample(dir, { seed: 42, runs: 3000, force: false }, io);
    if (!existsSync(join(modelDir, CARD_FILE))) {
      io.err(`no model in ${modelDir}: training on ${table}…`);
      const { records, version } = await readRunRecords(table);
      const r = trainPcpo({ records, out: modelDir, source: table, deltaVersion: version, onProgress: (l) => io.err(l) });
      io.err(`trained ${r.card.model_version}`);
    }
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
    await new Promise<void>((resolve) => s.app.server.on('close', () => resolve()));
  },
};
export default command;
