import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { ServingContext } from '../context.js';
import type { Dashboard } from './dashboard/dashboard.js';
import { RunsResponse } from './dashboard/schemas.js';
import { tenantFilter } from './dashboard/scope.js';

const RunsQuery = Type.Object({
  tenant_id: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  // A string: the server validates without type coercion, so an integer schema would refuse every query string.
  limit: Type.Optional(Type.String({ pattern: '^(1000|[1-9][0-9]{0,2})$', description: 'run-table runs listed, 1 to 1000 (default 100); pre-flight runs are all listed' })),
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
    const finished = (table?.finished ?? []).filter((r) => allowed(r.tenant_id)).slice(0, Number(req.query.limit ?? 100));
    return { runs: [...live.runs, ...finished], denied: live.denied, run_table: table?.info ?? null };
  });
}
