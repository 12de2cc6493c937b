import type { FastifyInstance } from 'fastify';
import { microsToUsd, pricedAs } from '../../pricing/index.js';
import type { LaunchPlan, LaunchPrices } from '../../stream/index.js';
import { cheaperAlternatives } from '../alternatives.js';
import { KeyRing } from '../auth.js';
import { authorizeTenant, type ServingContext } from '../context.js';
import { ApiError } from '../errors.js';
import { modelAllowed, type BudgetStatus } from '../ledger/index.js';
import { overridePrices } from '../prices.js';
import { ErrorResponse, PreflightBody, PreflightResponse } from '../schemas.js';

/**
 * What a run certainly costs if it starts at all, in micro-dollars: every prompt is read and each request
 * makes at least one token (API); the GPUs are held for at least a second (self-hosted). A paid run is never
 * reserved below this, whatever the model predicts.
 */
function floorMicros(plan: LaunchPlan, prices: LaunchPrices): number {
  if (plan.kind === 'self_hosted') return Math.ceil(((prices.gpu_usd_per_hour ?? 0) * (plan.gpu_count ?? 1) * 1e6) / 3600);
  const perRequest = plan.prompt_tokens * (prices.input_usd_per_mtok ?? 0) + (prices.output_usd_per_mtok ?? 0);
  return Math.ceil(plan.requests * perRequest);
}

/** The predicted P90 in whole micro-dollars, rounded up: a reservation never holds less than the bound. */
const ceilMicros = (usd: number) => Math.ceil(usd * 1e6 - 1e-6);

/**
 * What a run of a scope must fit: the least remaining of its budget and its ancestors'; the nearest negotiated
 * prices; an alert when any of them is in alert.
 */
function tightest(levels: BudgetStatus[]) {
  return {
    policies: levels.map((l) => l.budget.model_policy),
    remaining_micros: Math.min(...levels.map((l) => l.remaining_micros)),
    /** How much more may be held before one of the budgets reaches its alert threshold. */
    alertAt: Math.min(...levels.map((l) => l.budget.alert_threshold * l.budget.limit_micros - l.spent_micros - l.reserved_micros)),
    overrides: levels.find((l) => l.budget.price_overrides)?.budget.price_overrides,
    alert: levels.some((l) => l.alert),
  };
}

export function preflightRoutes(app: FastifyInstance, ctx: ServingContext): void {
  app.post<{ Body: PreflightBody }>('/preflight', {
    schema: {
      summary: 'allow or deny a planned run against its tenant budget, at the server\'s prices; on deny, up to three cheaper configurations that fit',
      tags: ['budgets'], body: PreflightBody, response: { 200: PreflightResponse, '4xx': ErrorResponse },
    },
  }, async (req) => {
    const b = req.body;
    const key = authorizeTenant(ctx, req, b.tenant_id);
    if (b.prices && !KeyRing.isAdmin(key)) {
      throw new ApiError('FORBIDDEN', 'a budget decision uses the server\'s prices (the tenant\'s overrides, else the catalog); only an admin key may send prices — ask /predict for a what-if', '/prices');
    }
    const before = tightest(await ctx.ledger.chainStatus(b.tenant_id));
    const permitted = (model: string) => {
      const ids = pricedAs(ctx.catalog, model);
      return before.policies.every((p) => modelAllowed(p, model, ids));
    };
    if (!permitted(b.plan.model)) {
      ctx.metrics.decisions.inc({ decision: 'deny' });
      return {
        decision: 'deny', tenant_id: b.tenant_id, run_id: b.run_id, remaining_usd: microsToUsd(before.remaining_micros),
        reason: `model '${b.plan.model}' is not allowed for '${b.tenant_id}' (its model_policy or an ancestor's)`, policy: true, alternatives: [],
      };
    }
    const prices = b.prices ?? overridePrices(b.plan, ctx.catalog, before.overrides);
    const p = ctx.predictor.predict({ ...b, prices });
    if (!p.feasible) throw new ApiError('INFEASIBLE_PLAN', p.reason, '/plan');
    const amount = Math.max(ceilMicros(p.p90_usd), floorMicros(b.plan, p.prices));
    const reservation = b.reserve === false
      ? undefined
      : await ctx.ledger.reserve(b.tenant_id, amount, { ttlMs: (b.reservation_ttl_seconds ?? 3600) * 1000, runId: b.run_id });
    const allowed = b.reserve === false ? amount <= before.remaining_micros : reservation !== undefined;
    // As of the decision, without asking the ledger again (one round trip less on a shared database).
    const held = reservation ? reservation.amount_micros : 0;
    const after = { remaining_micros: before.remaining_micros - held, alert: before.alert || before.alertAt - held <= 0 };
    ctx.metrics.decisions.inc({ decision: allowed ? 'allow' : 'deny' });
    if (after.alert && !before.alert) ctx.metrics.budgetAlerts.inc();
    const remainingUsd = microsToUsd(before.remaining_micros);
    const base = {
      decision: allowed ? 'allow' : 'deny', tenant_id: b.tenant_id, run_id: b.run_id,
      remaining_usd: microsToUsd(after.remaining_micros), predicted_p50_usd: p.p50_usd, predicted_p90_usd: p.p90_usd,
      quantity: p.quantity, p50: p.p50, p90: p.p90, prices: p.prices, model_version: p.model_version, alert: after.alert,
      unseen_hardware: p.unseen_hardware,
    };
    const amountUsd = microsToUsd(amount);
    if (allowed) {
      return {
        ...base, reason: `reservation $${amountUsd.toFixed(6)} (predicted P90) fits the remaining $${remainingUsd.toFixed(6)}`,
        reservation: reservation && {
          id: reservation.id, amount_usd: microsToUsd(reservation.amount_micros), amount_micros: reservation.amount_micros,
          expires_at: new Date(reservation.expires_at).toISOString(),
        },
        alternatives: [],
      };
    }
    const reason = `reservation $${amountUsd.toFixed(6)} (predicted P90) exceeds the remaining $${remainingUsd.toFixed(6)}`;
    await ctx.ledger.raise({ tenant_id: b.tenant_id, kind: 'deny', subject: 'preflight', message: `a run of tenant '${b.tenant_id}' was denied: ${reason}` })
      .catch((err) => req.log.warn({ err }, 'deny alert not raised'));
    return {
      ...base, reason,
      alternatives: cheaperAlternatives({ ...b, prices: undefined }, remainingUsd, ctx.predictor, ctx.catalog).filter((a) => permitted(a.plan.model)),
    };
  });
}
