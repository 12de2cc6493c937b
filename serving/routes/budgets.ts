import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { usdToMicros } from '../../pricing/index.js';
import { authorizeTenant, type ServingContext } from '../context.js';
import { BudgetCreateBody, BudgetPatchBody, ReservationParams, SettleBody, TenantParams } from '../schemas.js';
import { budgetView } from './budget-view.js';

export function budgetRoutes(app: FastifyInstance, ctx: ServingContext): void {
  const tags = ['budgets'];
  app.post<{ Body: Static<typeof BudgetCreateBody> }>('/budgets', { schema: { summary: 'create a tenant budget', tags, body: BudgetCreateBody } }, async (req, reply) => {
    const { limit_usd, ...rest } = req.body;
    authorizeTenant(ctx, req, rest.tenant_id);
    ctx.ledger.create({ ...rest, limit_micros: usdToMicros(limit_usd, 'limit_usd') });
    reply.code(201);
    return budgetView(ctx.ledger.status(rest.tenant_id));
  });

  app.get<{ Params: Static<typeof TenantParams> }>('/budgets/:tenant_id', { schema: { summary: 'a budget with its spend, reservations and remaining amount in the current window', tags, params: TenantParams } }, async (req) => {
    authorizeTenant(ctx, req, req.params.tenant_id);
    return budgetView(ctx.ledger.status(req.params.tenant_id));
  });

  app.patch<{ Params: Static<typeof TenantParams>; Body: Static<typeof BudgetPatchBody> }>('/budgets/:tenant_id', { schema: { summary: 'change a budget', tags, params: TenantParams, body: BudgetPatchBody } }, async (req) => {
    authorizeTenant(ctx, req, req.params.tenant_id);
    const { limit_usd, ...rest } = req.body;
    ctx.ledger.update(req.params.tenant_id, { ...rest, ...(limit_usd === undefined ? {} : { limit_micros: usdToMicros(limit_usd, 'limit_usd') }) });
    return budgetView(ctx.ledger.status(req.params.tenant_id));
  });

  app.post<{ Params: Static<typeof ReservationParams>; Body: Static<typeof SettleBody> }>('/budgets/:tenant_id/reservations/:reservation_id/settle', {
    schema: { summary: 'replace a reservation by the actual cost of the run', tags, params: ReservationParams, body: SettleBody },
  }, async (req) => {
    authorizeTenant(ctx, req, req.params.tenant_id);
    return budgetView(ctx.ledger.settle(req.params.tenant_id, req.params.reservation_id, usdToMicros(req.body.cost_usd, 'cost_usd')));
  });

  app.post<{ Params: Static<typeof ReservationParams> }>('/budgets/:tenant_id/reservations/:reservation_id/release', {
    schema: { summary: 'release a reservation (the run was cancelled)', tags, params: ReservationParams },
  }, async (req) => {
    authorizeTenant(ctx, req, req.params.tenant_id);
    return budgetView(ctx.ledger.release(req.params.tenant_id, req.params.reservation_id));
  });
}
