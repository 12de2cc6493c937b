import { Type, type Static } from '@sinclair/typebox';
import { LaunchPlan, LaunchPrices, LIMITS, PRINTABLE } from '../stream/index.js';

const Tenant = Type.String({ minLength: 1, maxLength: 256, pattern: PRINTABLE, description: 'tenant the plan belongs to' });

export const PlanRequest = Type.Object({
  tenant_id: Tenant,
  run_id: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  launched_at: Type.Optional(Type.String({ format: 'date-time', description: 'planned launch; now by default' })),
  plan: LaunchPlan,
  prices: Type.Optional(LaunchPrices),
}, { additionalProperties: false });
export type PlanRequest = Static<typeof PlanRequest>;

export const PredictBody = Type.Object({
  tenant_id: Type.Optional(Tenant),
  run_id: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  launched_at: Type.Optional(Type.String({ format: 'date-time' })),
  plan: Type.Optional(LaunchPlan),
  prices: Type.Optional(LaunchPrices),
  plans: Type.Optional(Type.Array(PlanRequest, { minItems: 1, maxItems: 100, description: 'a batch of plans instead of one' })),
}, { additionalProperties: false });
export type PredictBody = Static<typeof PredictBody>;

export const PreflightBody = Type.Object({
  tenant_id: Tenant,
  run_id: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  launched_at: Type.Optional(Type.String({ format: 'date-time' })),
  plan: LaunchPlan,
  /** Admin keys only: a tenant key's decisions use the server's prices (its overrides, else the catalog). */
  prices: Type.Optional(LaunchPrices),
  reserve: Type.Optional(Type.Boolean({ description: 'reserve the predicted P90 when allowed (default true)' })),
  reservation_ttl_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 30 * 86_400, description: 'the reservation is released after this (default 3600)' })),
}, { additionalProperties: false });
export type PreflightBody = Static<typeof PreflightBody>;

export const BudgetWindowSchema = Type.Union([Type.Literal('total'), Type.Literal('daily'), Type.Literal('monthly')]);

const UsdPerMtok = Type.Number({ minimum: 0, maximum: LIMITS.usdPerMtok });

export const PriceOverridesSchema = Type.Object({
  gpu_usd_per_hour: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 128 }), Type.Number({ minimum: 0, maximum: LIMITS.gpuUsdPerHour }), {
    description: '$/GPU-hour by GPU name', maxProperties: 1000,
  })),
  token_usd_per_mtok: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 256 }), Type.Object({ input: UsdPerMtok, output: UsdPerMtok }, { additionalProperties: false }), {
    description: '$/million tokens by model name', maxProperties: 1000,
  })),
}, { additionalProperties: false, description: 'negotiated prices for this tenant; budget decisions use them before the catalog (admin keys only)' });

const ModelNames = Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { maxItems: 1000 });

const BudgetFields = {
  limit_usd: Type.Number({ minimum: 0, maximum: 1e9 }),
  price_overrides: Type.Optional(PriceOverridesSchema),
  model_policy: Type.Optional(Type.Object({ allow: Type.Optional(ModelNames), deny: Type.Optional(ModelNames) }, {
    additionalProperties: false,
    description: 'models this scope may use (`*` matches any run of characters); a deny wins; ancestors\' policies apply too',
  })),
  window: Type.Optional(BudgetWindowSchema),
  reset_hour_utc: Type.Optional(Type.Integer({ minimum: 0, maximum: 23 })),
  reset_day: Type.Optional(Type.Integer({ minimum: 1, maximum: 28, description: 'monthly windows reset on this day' })),
  alert_threshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'soft alert at this share of the limit (default 0.8)' })),
  alert_thresholds: Type.Optional(Type.Array(Type.Number({ exclusiveMinimum: 0, maximum: 10 }), {
    maxItems: 10, uniqueItems: true, description: 'shares of the limit whose crossing raises an alert, once per window each (default 0.5, 0.8, 0.95, 1)',
  })),
  alert_webhook: Type.Optional(Type.Object({
    url: Type.String({ pattern: '^https?://', maxLength: 2048, description: 'receives a POST per alert' }),
    secret: Type.Optional(Type.String({ minLength: 16, maxLength: 256, description: 'signs each delivery (x-lutflow-signature)' })),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('slack')])),
  }, { additionalProperties: false })),
};

export const BudgetCreateBody = Type.Object({ tenant_id: Tenant, ...BudgetFields }, { additionalProperties: false });
export const BudgetPatchBody = Type.Partial(Type.Object(BudgetFields), { additionalProperties: false, minProperties: 1 });
export const SettleBody = Type.Object({
  cost_usd: Type.Number({ minimum: 0, maximum: 1e9, description: 'actual cost of the run' }),
}, { additionalProperties: false });

export const TenantParams = Type.Object({ tenant_id: Tenant });
export const ReservationParams = Type.Object({ tenant_id: Tenant, reservation_id: Type.String({ minLength: 1, maxLength: 128, pattern: PRINTABLE }) });

export const ErrorResponse = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), field: Type.Optional(Type.String()) }),
});

const PricesOut = Type.Object({
  gpu_usd_per_hour: Type.Optional(Type.Number()), input_usd_per_mtok: Type.Optional(Type.Number()), output_usd_per_mtok: Type.Optional(Type.Number()),
  source: Type.Optional(Type.String()), as_of: Type.Optional(Type.String()),
});

/** One prediction as answered; a fixed shape lets fastify serialise it with a compiled serialiser. */
export const PredictionOut = Type.Object({
  feasible: Type.Boolean(),
  tenant_id: Type.String(),
  run_id: Type.Optional(Type.String()),
  quantity: Type.Optional(Type.String({ description: 'gpu_seconds (self-hosted) or output_tokens (API)' })),
  p50: Type.Optional(Type.Number()),
  p90: Type.Optional(Type.Number()),
  p50_usd: Type.Optional(Type.Number()),
  p90_usd: Type.Optional(Type.Number()),
  prices: Type.Optional(PricesOut),
  model_version: Type.Optional(Type.String()),
  unseen_hardware: Type.Optional(Type.Boolean({ description: 'the accelerator is not one the model learned from: P90 widened' })),
  reason: Type.Optional(Type.String({ description: 'why an infeasible plan cannot run' })),
});

export const PredictResponse = Type.Object({
  ...PredictionOut.properties,
  feasible: Type.Optional(Type.Boolean()),
  tenant_id: Type.Optional(Type.String()),
  predictions: Type.Optional(Type.Array(PredictionOut)),
});

/** What POST /preflight answers; a fixed shape lets fastify serialise it with a compiled serialiser. */
export const PreflightResponse = Type.Object({
  decision: Type.Union([Type.Literal('allow'), Type.Literal('deny')]),
  tenant_id: Type.String(),
  run_id: Type.Optional(Type.String()),
  reason: Type.String(),
  remaining_usd: Type.Number({ description: 'what remains after the decision (the least of the scope and its ancestors)' }),
  predicted_p50_usd: Type.Optional(Type.Number()),
  predicted_p90_usd: Type.Optional(Type.Number()),
  quantity: Type.Optional(Type.String()),
  p50: Type.Optional(Type.Number()),
  p90: Type.Optional(Type.Number()),
  prices: Type.Optional(PricesOut),
  model_version: Type.Optional(Type.String()),
  alert: Type.Optional(Type.Boolean()),
  unseen_hardware: Type.Optional(Type.Boolean()),
  policy: Type.Optional(Type.Boolean({ description: 'denied by a model policy, not by the budget' })),
  reservation: Type.Optional(Type.Object({
    id: Type.String(), amount_usd: Type.Number(), amount_micros: Type.Integer(), expires_at: Type.String({ format: 'date-time' }),
  })),
  alternatives: Type.Array(Type.Object({
    plan: Type.Unknown(), p50_usd: Type.Number(), p90_usd: Type.Number(), change: Type.String(),
  })),
});
