import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { PRINTABLE } from '../../stream/index.js';
import { KeyRing } from '../auth.js';
import { keyOf, type ServingContext } from '../context.js';
import { ApiError } from '../errors.js';
import type { Alert } from '../ledger/index.js';

const AlertsQuery = Type.Object({
  tenant_id: Type.Optional(Type.String({ minLength: 1, maxLength: 256, pattern: PRINTABLE })),
  // Query strings arrive as text and the server does not coerce types: digits, checked here.
  limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', description: 'how many, newest first: 1 to 1000 (default 100)' })),
}, { additionalProperties: false });

function alertView(a: Alert) {
  const iso = (ms?: number) => (ms === undefined ? null : new Date(ms).toISOString());
  return {
    id: a.id, tenant_id: a.tenant_id, kind: a.kind, subject: a.subject, message: a.message, at: iso(a.at),
    window_start: a.window_start > 0 ? iso(a.window_start) : null, spent_usd: a.spent_micros / 1e6, limit_usd: a.limit_micros / 1e6,
    delivery: {
      state: a.delivery.state, attempts: a.delivery.attempts, next_attempt_at: a.delivery.state === 'pending' ? iso(a.delivery.next_at) : null,
      last_error: a.delivery.last_error ?? null, delivered_at: iso(a.delivery.delivered_at),
    },
  };
}

export function alertRoutes(app: FastifyInstance, ctx: ServingContext): void {
  app.get<{ Querystring: Static<typeof AlertsQuery> }>('/alerts', {
    schema: { summary: 'alerts raised (thresholds crossed, denied runs, kills) and whether each was delivered', tags: ['budgets'], querystring: AlertsQuery },
  }, async (req) => {
    const key = keyOf(ctx, req);
    const wanted = req.query.tenant_id;
    if (wanted) KeyRing.authorize(key, wanted);
    const tenants = wanted ? [wanted] : KeyRing.isAdmin(key) ? undefined : key.tenants;
    const limit = Number(req.query.limit ?? 100);
    if (limit < 1 || limit > 1000) throw new ApiError('INVALID_REQUEST', `querystring /limit must be from 1 to 1000, got ${limit}`, '/limit');
    return { alerts: (await ctx.ledger.alerts({ tenants, limit })).map(alertView) };
  });
}
