import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { ServingContext } from '../context.js';
import type { Dashboard } from './dashboard/dashboard.js';
import { SpendResponse, type TenantSpend } from './dashboard/schemas.js';
import { tenantFilter } from './dashboard/scope.js';

const SpendQuery = Type.Object({
  tenant_id: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'one tenant; all the key may see when absent' })),
}, { additionalProperties: false });

/**
 * Spend per tenant for people: the 10-second cost windows and the breakdowns of what this server charged from
 * telemetry (since it started), next to the finished runs of the run table. Budget figures stay in /budgets.
 */
export function spendRoutes(app: FastifyInstance, ctx: ServingContext, dash: Dashboard): void {
  app.get<{ Querystring: Static<typeof SpendQuery> }>('/spend', {
    schema: {
      summary: 'spend per tenant: 10-second cost windows of the last hour, by day, model, provider, deployment and token kind',
      tags: ['spend'], querystring: SpendQuery, response: { 200: SpendResponse },
    },
  }, async (req) => {
    const allowed = tenantFilter(ctx, req, req.query.tenant_id);
    const table = await dash.table.get();
    const ids = new Set([...(await ctx.ledger.tenantIds()), ...dash.spend.tenantIds(), ...(table?.tallies.keys() ?? [])]);
    if (req.query.tenant_id) ids.add(req.query.tenant_id);
    const tenants: TenantSpend[] = [...ids].filter(allowed).sort().map((tenant_id) => {
      const live = dash.spend.tenant(tenant_id);
      return {
        tenant_id, metered: live?.metered ?? dash.emptyTally, windows: live?.windows ?? [],
        runs: table?.tallies.get(tenant_id)?.view() ?? null,
      };
    });
    return { since: new Date(dash.spend.since).toISOString(), window_seconds: dash.spend.windowSeconds, run_table: table?.info ?? null, tenants };
  });
}
