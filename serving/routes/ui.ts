import type { FastifyInstance } from 'fastify';
import { KeyRing } from '../auth.js';
import { keyOf, type ServingContext } from '../context.js';
import { assetRoutes } from './dashboard/assets.js';
import { createDashboard } from './dashboard/dashboard.js';
import { KeyScope } from './dashboard/schemas.js';
import { tapRoutes } from './dashboard/taps.js';
import { modelAccuracyRoutes } from './model-accuracy.js';
import { runRoutes } from './runs.js';
import { spendRoutes } from './spend.js';

/**
 * The web dashboard: its pages under /ui (built into dist/ui by `npm run build`), the read-only routes it reads
 * beside the ones scripts use (/spend, /runs, /models/accuracy, /auth/scope), and the taps that feed them.
 */
export function uiRoutes(app: FastifyInstance, ctx: ServingContext, opts: { assetsDir?: string } = {}): void {
  const dash = createDashboard(ctx);
  tapRoutes(app, ctx, dash);
  const off = ctx.spendFeed.on((tenant, e) => dash.spend.record({ ...e, tenant_id: tenant }));
  spendRoutes(app, ctx, dash);
  runRoutes(app, ctx, dash);
  modelAccuracyRoutes(app, ctx, dash);
  app.get('/auth/scope', {
    schema: { summary: 'what the presented API key may see: its tenants, and whether it is an admin key', tags: ['operations'], response: { 200: KeyScope } },
  }, async (req) => {
    const key = keyOf(ctx, req);
    return { name: key.name ?? null, admin: KeyRing.isAdmin(key), tenants: [...key.tenants] };
  });
  assetRoutes(app, opts.assetsDir);
  app.addHook('onClose', async () => {
    off();
    dash.spend.close();
  });
}
