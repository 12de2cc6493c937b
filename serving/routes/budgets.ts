import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { usdToMicros } from '../../pricing/index.js';
import { KeyRing } from '../auth.js';
import { authorizeReservations, authorizeTenant, keyOf, type ServingContext } from '../context.js';
import { canonicalOverrides } from '../prices.js';
import { BudgetCreateBody, BudgetPatchBody, ReservationParams, SettleBody, TenantParams } from '../schemas.js';
import { budgetView } from './budget-view.js';

/**
 * Budgets are set by admin keys (`*`): a tenant key reads its own budget and spends against it (pre-flight,
 * settle, release, telemetry), but cannot raise its limit or lower its prices.
 */
export function budgetRoutes(app: FastifyInstance, ctx: ServingContext): void {
  const tags = ['budgets'];
  const overrides = (o: Static<typeof BudgetCreateBody>['price_overrides']) => (o ? { price_overrides: canonicalOverrides(o, ctx.catalog) } : {});

  app.post<{ Body: Static<typeof BudgetCreateBody> }>('/budgets', {
    schema: { summary: 'create a tenant budget (admin)', tags, body: BudgetCreateBody },
  }, async (req, reply) => {
    KeyRing.requireAdmin(keyOf(ctx, req));
    const { limit_usd, price_overrides, ...rest } = req.body;
    const s = await ctx.ledger.create({ ...rest, ...overrides(price_overrides), limit_micros: usdToMicros(limit_usd, 'limit_usd') });
    reply.code(201);
    return budgetView(s, ctx.clock());
  });

  app.get('/budgets', { schema: { summary: 'the budgets this key may see, with spend and remaining amounts', tags } }, async (req) => {
    const key = keyOf(ctx, req);
    const ids = (await ctx.ledger.tenantIds()).filter((t) => KeyRing.allows(key, t)).sort();
    return { budgets: await Promise.all(ids.map(async (t) => budgetView(await ctx.ledger.status(t), ctx.clock()))) };
  });

  app.get<{ Params: Static<typeof TenantParams> }>('/budgets/:tenant_id', {
    schema: { summary: 'a budget with its spend, reservations and remaining amount in the current window', tags, params: TenantParams },
  }, async (req) => {
    authorizeTenant(ctx, req, req.params.tenant_id);
    return budgetView(await ctx.ledger.status(req.params.tenant_id), ctx.clock());
  });

  app.patch<{ Params: Static<typeof TenantParams>; Body: Static<typeof BudgetPatchBody> }>('/budgets/:tenant_id', {
    schema: { summary: 'change a budget (admin); a new window or reset time re-buckets the spend already charged', tags, params: TenantParams, body: BudgetPatchBody },
  }, async (req) => {
    KeyRing.requireAdmin(keyOf(ctx, req));
    const { limit_usd, price_overrides, ...rest } = req.body;
    const limit = limit_usd === undefined ? {} : { limit_micros: usdToMicros(limit_usd, 'limit_usd') };
    return budgetView(await ctx.ledger.update(req.params.tenant_id, { ...rest, ...overrides(price_overrides), ...limit }), ctx.clock());
  });

  app.post<{ Params: Static<typeof ReservationParams>; Body: Static<typeof SettleBody> }>('/budgets/:tenant_id/reservations/:reservation_id/settle', {
    schema: {
      summary: 'replace a reservation by the actual cost of the run, once; an expired reservation still settles within the grace period',
      tags, params: ReservationParams, body: SettleBody,
    },
  }, async (req) => {
    authorizeReservations(ctx, req, req.params.tenant_id);
    const micros = usdToMicros(req.body.cost_usd, 'cost_usd');
    return budgetView(await ctx.ledger.settle(req.params.tenant_id, req.params.reservation_id, micros), ctx.clock());
  });

  app.post<{ Params: Static<typeof ReservationParams> }>('/budgets/:tenant_id/reservations/:reservation_id/release', {
    schema: { summary: 'release a reservation (the run was cancelled)', tags, params: ReservationParams },
  }, async (req) => {
    authorizeReservations(ctx, req, req.params.tenant_id);
    return budgetView(await ctx.ledger.release(req.params.tenant_id, req.params.reservation_id), ctx.clock());
  });
}
