import Fastify from 'fastify';
import { buildServer } from '../../serving/index.js';

/**
 * Child process of predict.bench.ts: the Lutflow server on one port and, on another, a bare fastify
 * route that answers a body of the same size without doing any work. Prints both addresses as JSON.
 */
const [modelDir, key, bodySize] = process.argv.slice(2);
const { app } = await buildServer({ modelDir, apiKeys: [{ key, tenants: ['*'] }], watchModel: false });
const ours = await app.listen({ host: '127.0.0.1', port: 0 });
const bare = Fastify();
const body = JSON.stringify({ pad: 'x'.repeat(Math.max(0, Number(bodySize) - 10)) });
bare.post('/predict', async (_req, reply) => reply.type('application/json').send(body));
const baseline = await bare.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(JSON.stringify({ ours, baseline }) + '\n');
