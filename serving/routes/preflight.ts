import type { FastifyInstance } from 'fastify';
import { microsToUsd } from '../../pricing/index.js';
import { cheaperAlternatives } from '../alternatives.js';
import { authorizeTenant, type ServingContext } from '../context.js';
import { ApiError } from '../errors.js';
import { PreflightBody } from '../schemas.js';

/** The predicted P90 in whole micro-dollars, rounded up: a reservation never holds less than the bound. */
const ceilMicros = (usd: number) => Math.ceil(usd * 1e6 - 1e-6);

export function preflightRoutes(app: FastifyInstance, ctx: ServingContext): void {
  app.post<{ Body: PreflightBody }>('/preflight', {
    schema: { summary: 'allow or deny a planned run against its tenant budget; on deny, up to three cheaper configurations that fit', tags: ['budgets'], body: PreflightBody },
  }, async (req) => {
    const b = req.body;
    authorizeTenant(ctx, req, b.tenant_id);
    const before = ctx.ledger.status(b.tenant_id);
    const p = ctx.predictor.predict(b);
    if (!p.feasible) throw new ApiError('INFEASIBLE_PLAN', p.reason, '/plan');
    const p90Micros = ceilMicros(p.p90_usd);
    const reservation = b.reserve === false
      ? undefined
      : ctx.ledger.reserve(b.tenant_id, p90Micros, { ttlMs: (b.reservation_ttl_seconds ?? 3600) * 1000, runId: b.run_id });
    const allowed = b.reserve === false ? p90Micros <= before.remaining_micros : reservation !== undefined;
    const after = ctx.ledger.status(b.tenant_id);
    ctx.metrics.decisions.inc({ decision: allowed ? 'allow' : 'deny' });
    if (after.alert && !before.alert) ctx.metrics.budgetAlerts.inc({ tenant: b.tenant_id });
    const remainingUsd = microsToUsd(before.remaining_micros);
    const base = {
      decision: allowed ? 'allow' : 'deny', tenant_id: b.tenant_id, run_id: b.run_id,
      remaining_usd: microsToUsd(after.remaining_micros), predicted_p50_usd: p.p50_usd, predicted_p90_usd: p.p90_usd,
      quantity: p.quantity, p50: p.p50, p90: p.p90, prices: p.prices, model_version: p.model_version, alert: after.alert,
      ...(p.unseen_hardware ? { unseen_hardware: true } : {}),
    };
    if (allowed) {
      return {
        ...base, reason: `predicted P90 $${p.p90_usd.toFixed(6)} fits the remaining $${remainingUsd.toFixed(6)}`,
        reservation: reservation && { id: reservation.id, amount_usd: microsToUsd(reservation.amount_micros), amount_micros: reservation.amount_micros, expires_at: new Date(reservation.expires_at).toISOString() },
        alternatives: [],
      };
    }
    return {
      ...base, reason: `predicted P90 $${p.p90_usd.toFixed(6)} exceeds the remaining $${remainingUsd.toFixed(6)}`,
      alternatives: cheaperAlternatives(b, remainingUsd, ctx.predictor, ctx.catalog),
    };
  });
}
