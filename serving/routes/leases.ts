import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { microsToUsd, usdToMicros } from '../../pricing/index.js';
import { authorizeReservations, type ServingContext } from '../context.js';
import { ApiError } from '../errors.js';
import type { Reservation } from '../ledger/index.js';
import { ReservationParams, TenantParams } from '../schemas.js';
import { budgetView } from './budget-view.js';

const Ttl = Type.Integer({ minimum: 1, maximum: 3600, description: 'the lease goes back to the budget after this unless renewed (default 60)' });
const LeaseBody = Type.Object({
  amount_usd: Type.Number({ exclusiveMinimum: 0, maximum: 1e9, description: 'the slice asked for; less is granted when less remains' }),
  ttl_seconds: Type.Optional(Ttl),
}, { additionalProperties: false });
const RenewBody = Type.Object({ ttl_seconds: Type.Optional(Ttl) }, { additionalProperties: false });
const ReturnBody = Type.Object({
  spent_usd: Type.Number({ minimum: 0, maximum: 1e9, description: 'everything the holder spent under the lease' }),
}, { additionalProperties: false });

const DEFAULT_TTL_S = 60;

function leaseView(r: Reservation) {
  return {
    lease_id: r.id, tenant_id: r.tenant_id, amount_micros: r.amount_micros, amount_usd: microsToUsd(r.amount_micros),
    expires_at: new Date(r.expires_at).toISOString(),
  };
}

/**
 * Budget leases for SDK processes in cloud mode: a slice of the tenant's server-side budget, reserved here and
 * spent in-process. Telemetry that names the lease (`lease_id`) draws it down as it arrives; the holder renews
 * it while alive and returns it with what it spent (what telemetry did not bring yet is charged then, the rest
 * goes back). A holder that vanished stops renewing: the lease expires back to the budget, and what its
 * telemetry delivered stays charged. However many processes hold leases, they hold no more than the budget.
 */
export function leaseRoutes(app: FastifyInstance, ctx: ServingContext): void {
  const tags = ['budgets'];
  app.post<{ Params: Static<typeof TenantParams>; Body: Static<typeof LeaseBody> }>('/budgets/:tenant_id/leases', {
    schema: { summary: 'lease a slice of the budget (SDK processes); granted in part when less remains', tags, params: TenantParams, body: LeaseBody },
  }, async (req, reply) => {
    authorizeReservations(ctx, req, req.params.tenant_id);
    const ttlMs = (req.body.ttl_seconds ?? DEFAULT_TTL_S) * 1000;
    const lease = await ctx.ledger.reserve(req.params.tenant_id, usdToMicros(req.body.amount_usd, 'amount_usd'), { ttlMs, partial: true });
    const levels = await ctx.ledger.chainStatus(req.params.tenant_id);
    if (!lease) {
      const s = levels[0];
      const message = `nothing remains to lease: spent ${microsToUsd(s.spent_micros)} + held ${microsToUsd(s.reserved_micros)} of ${microsToUsd(s.budget.limit_micros)} USD`;
      await ctx.ledger.raise({ tenant_id: req.params.tenant_id, kind: 'deny', subject: 'lease', message: `tenant '${req.params.tenant_id}': ${message}` })
        .catch((err) => req.log.warn({ err }, 'deny alert not raised'));
      throw new ApiError('BUDGET_EXHAUSTED', message);
    }
    reply.code(201);
    // The tightest limit of the chain: what an SDK sizes its next slices by.
    return {
      ...leaseView(lease), limit_micros: Math.min(...levels.map((l) => l.budget.limit_micros)),
      // What the SDK refuses before the provider is called: every level's policy must allow the model.
      model_policies: levels.flatMap((l) => l.budget.model_policy ?? []),
    };
  });

  app.post<{ Params: Static<typeof ReservationParams>; Body: Static<typeof RenewBody> }>('/budgets/:tenant_id/leases/:reservation_id/renew', {
    schema: { summary: 'keep a lease alive (its holder is still running)', tags, params: ReservationParams, body: RenewBody },
  }, async (req) => {
    authorizeReservations(ctx, req, req.params.tenant_id);
    const ttlMs = (req.body.ttl_seconds ?? DEFAULT_TTL_S) * 1000;
    return leaseView(await ctx.ledger.extend(req.params.tenant_id, req.params.reservation_id, ttlMs));
  });

  app.post<{ Params: Static<typeof ReservationParams>; Body: Static<typeof ReturnBody> }>('/budgets/:tenant_id/leases/:reservation_id/return', {
    schema: { summary: 'return a lease with what was spent under it; the rest goes back to the budget', tags, params: ReservationParams, body: ReturnBody },
  }, async (req) => {
    authorizeReservations(ctx, req, req.params.tenant_id);
    const micros = usdToMicros(req.body.spent_usd, 'spent_usd');
    return budgetView(await ctx.ledger.settle(req.params.tenant_id, req.params.reservation_id, micros), ctx.clock());
  });
}
