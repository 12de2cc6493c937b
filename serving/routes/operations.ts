import type { FastifyInstance } from 'fastify';
import { KeyRing } from '../auth.js';
import { keyOf, type ServingContext } from '../context.js';

export function operationsRoutes(app: FastifyInstance, ctx: ServingContext): void {
  app.get('/healthz', { schema: { summary: 'the process is up', tags: ['operations'] } }, async () => ({ status: 'ok' }));

  app.get('/readyz', {
    schema: { summary: 'ready to serve: a model is loaded and the budget ledger takes writes', tags: ['operations'] },
  }, async (_req, reply) => {
    const m = ctx.registry.model;
    const ledger = await ctx.ledger.health();
    const ready = !!m && ledger.ready;
    if (!ready) reply.code(503).header('retry-after', '5');
    return {
      ready, model_version: m?.version ?? null, ledger: ledger.ready ? 'ok' : ledger.reason,
      ...(m ? {} : { reason: 'no model is loaded' }),
    };
  });

  app.get('/metrics', {
    schema: { summary: 'Prometheus metrics (any valid API key; no tenant ids in labels)', tags: ['operations'] },
  }, async (req, reply) => {
    keyOf(ctx, req);
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
