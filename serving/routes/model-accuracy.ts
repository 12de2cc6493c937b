import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { ServingContext } from '../context.js';
import { summarize } from './dashboard/accuracy.js';
import type { Dashboard } from './dashboard/dashboard.js';
import { groupOf } from './dashboard/run-table.js';
import { ModelAccuracyResponse, type AccuracyPoint } from './dashboard/schemas.js';
import { tenantFilter } from './dashboard/scope.js';

const AccuracyQuery = Type.Object({ tenant_id: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })) }, { additionalProperties: false });

/** Out-of-sample runs needed before the by-day and by-group figures leave the in-sample runs out. */
const MIN_OUT_OF_SAMPLE = 20;
const MAX_POINTS = 500;

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const i of items) {
    const list = m.get(key(i));
    if (list) list.push(i); else m.set(key(i), [i]);
  }
  return m;
}

export function modelAccuracyRoutes(app: FastifyInstance, ctx: ServingContext, dash: Dashboard): void {
  app.get<{ Querystring: Static<typeof AccuracyQuery> }>('/models/accuracy', {
    schema: {
      summary: 'the served model on finished runs: predicted P50/P90 against actual cost, P90 coverage by day, error by GPU x engine',
      tags: ['models'], querystring: AccuracyQuery, response: { 200: ModelAccuracyResponse },
    },
  }, async (req) => {
    const allowed = tenantFilter(ctx, req, req.query.tenant_id);
    const table = await dash.table.get();
    const points: AccuracyPoint[] = [];
    for (const r of dash.runs.list(allowed).runs) {
      if (r.status !== 'settled' || r.actual_usd === null || r.predicted_p50_usd === null || r.predicted_p90_usd === null) continue;
      points.push({
        run_id: r.run_id ?? r.reservation_id!, tenant_id: r.tenant_id, kind: r.plan.kind, group: groupOf(r.plan), ended_at: r.ended_at!,
        predicted_p50_usd: r.predicted_p50_usd, predicted_p90_usd: r.predicted_p90_usd, actual_usd: r.actual_usd, source: 'preflight', in_sample: false,
      });
    }
    for (const r of table?.finished ?? []) {
      if (!allowed(r.tenant_id) || r.predicted_p50_usd === null || r.predicted_p90_usd === null) continue;
      points.push({
        run_id: r.run_id, tenant_id: r.tenant_id, kind: r.plan.kind, group: r.group, ended_at: r.ended_at, predicted_p50_usd: r.predicted_p50_usd,
        predicted_p90_usd: r.predicted_p90_usd, actual_usd: r.actual_usd, source: 'run_table', in_sample: r.in_sample,
      });
    }
    points.sort((a, b) => b.ended_at.localeCompare(a.ended_at));
    const outOfSample = points.filter((p) => !p.in_sample);
    const basis = outOfSample.length >= MIN_OUT_OF_SAMPLE ? 'out_of_sample' : 'all';
    const used = basis === 'all' ? points : outOfSample;
    return {
      model_version: ctx.registry.model?.version ?? null, basis, points: points.slice(0, MAX_POINTS),
      by_day: [...groupBy(used, (p) => p.ended_at.slice(0, 10))].sort((a, b) => a[0].localeCompare(b[0])).map(([day, l]) => ({ day, ...summarize(l) })),
      by_group: [...groupBy(used, (p) => p.group)].map(([group, l]) => ({ group, ...summarize(l) }))
        .sort((a, b) => (b.median_ape ?? -1) - (a.median_ape ?? -1) || a.group.localeCompare(b.group)),
      out_of_sample: summarize(outOfSample), in_sample: summarize(points.filter((p) => p.in_sample)), run_table: table?.info ?? null,
    };
  });
}
