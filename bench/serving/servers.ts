import Fastify from 'fastify';
import { createInterface } from 'node:readline';
import { buildServer } from '../../serving/index.js';

/**
 * Child process of predict.bench.ts and ledger-stores.bench.ts: the Lutflow server (its ledger on disk or in
 * PostgreSQL, fsync on, one tenant with a
 * budget no run exhausts) on one port and, on another, a bare fastify route that answers a body of the
 * same size without doing any work. Prints both addresses as JSON; answers each `cpu` line on stdin with
 * this process's CPU time so far (µs), so the bench can charge each round its server CPU per request.
 */
const [modelDir, ledger, key, bodySize] = process.argv.slice(2);
const store = ledger.startsWith('postgres://') ? { ledgerUrl: ledger } : { ledgerDir: ledger };
const { app, context } = await buildServer({ modelDir, ...store, apiKeys: [{ key, tenants: ['*'] }], watchModel: false });
if (!(await context.ledger.has('acme'))) await context.ledger.create({ tenant_id: 'acme', limit_micros: 1e15 });
const ours = await app.listen({ host: '127.0.0.1', port: 0 });
const bare = Fastify();
const body = JSON.stringify({ pad: 'x'.repeat(Math.max(0, Number(bodySize) - 10)) });
bare.post('/predict', async (_req, reply) => reply.type('application/json').send(body));
const baseline = await bare.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(JSON.stringify({ ours, baseline }) + '\n');
createInterface({ input: process.stdin }).on('line', () => {
  const u = process.cpuUsage();
  process.stdout.write(JSON.stringify({ cpuUs: u.user + u.system }) + '\n');
});
