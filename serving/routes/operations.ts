import type { FastifyInstance } from 'fastify';
import { KeyRing } from '../auth.js';
import { keyOf, type ServingContext } from '../context.js';

export function operationsRoutes(app: FastifyInstance, ctx: ServingContext): void {
  app.get('/healthz', { schema: { summary: 'the process is up', tags: ['operations'] } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { summary: 'ready to predict: a model is loaded', tags: ['operations'] } }, async (_req, reply) => {
    const m = ctx.registry.model;
    if (!m) reply.code(503);
    return { ready: !!m, model_version: m?.version ?? null };
  });

  app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['operations'] } }, async (_req, reply) => {
    reply.type('text/plain; version=0.0.4');
    return ctx.metrics.render();
  });

  app.get('/models', { schema: { summary: 'the model being served, its card, and the last reload error', tags: ['models'] } }, async (req) => {
    keyOf(ctx, req);
    return ctx.registry.describe();
  });

  app.post('/models/reload', { schema: { summary: 'reload the model directory; a bad model is refused and the old one keeps serving', tags: ['models'] } }, async (req, reply) => {
    KeyRing.requireAdmin(keyOf(ctx, req));
    const r = ctx.registry.reload();
    if (!r.ok) reply.code(422);
    return r;
  });
}
