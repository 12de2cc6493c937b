import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { ServingContext } from '../context.js';
import type { Dashboard } from './dashboard/dashboard.js';
import { RunsResponse } from './dashboard/schemas.js';
import { tenantFilter } from './dashboard/scope.js';

const RunsQuery = Type.Object({
  tenant_id: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'run-table runs listed (default 100); pre-flight runs are all listed' })),
}, { additionalProperties: false });

export function runRoutes(app: FastifyInstance, ctx: ServingContext, dash: Dashboard): void {
  app.get<{ Querystring: Static<typeof RunsQuery> }>('/runs', {
    schema: {
      summary: 'runs reserved through pre-flight (running, settled, released, expired) with predicted P50/P90 and actual cost, denied pre-flights with the alternatives offered, and the run table\'s recent finished runs',
      tags: ['runs'], querystring: RunsQuery, response: { 200: RunsResponse },
    },
  }, async (req) => {
    const allowed = tenantFilter(ctx, req, req.query.tenant_id);
    const table = await dash.table.get();
    const live = dash.runs.list(allowed);
    const finished = (table?.finished ?? []).filter((r) => allowed(r.tenant_id)).slice(0, req.query.limit ?? 100);
    return { runs: [...live.runs, ...finished], denied: live.denied, run_table: table?.info ?? null };
  });
}
