import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { LaunchPlan } from '../../../stream/contracts/pcpo-features.js';

/**
 * The shapes the dashboard reads. The dashboard routes answer with the first group (fastify serialises and
 * OpenAPI documents them); the second group describes answers of routes the dashboard reads but does not own,
 * checked against the live answers by test/ui/contract.test.ts. The front end imports these types only
 * (`import type`), so its build never pulls server code in.
 */
const Nullable = <T extends TSchema>(s: T) => Type.Union([s, Type.Null()]);
const Usd = Type.Number({ description: 'US dollars (for people; the _micros field is exact)' });
const Micros = Type.Integer({ minimum: 0, description: 'integer micro-USD' });
const Time = Type.String({ format: 'date-time' });

export const TokensByKind = Type.Object({
  input: Type.Integer(), cached_input: Type.Integer(), cache_write: Type.Integer(), output: Type.Integer(), reasoning: Type.Integer(),
}, { description: 'tokens by kind; input includes cached_input, output includes reasoning' });

export const SpendShare = Type.Object({ name: Type.String(), spend_micros: Micros, spend_usd: Usd, calls: Type.Integer() });
export const DaySpend = Type.Object({ day: Type.String({ description: 'UTC day, YYYY-MM-DD' }), spend_micros: Micros, spend_usd: Usd, calls: Type.Integer() });

export const SpendTallyView = Type.Object({
  spend_micros: Micros,
  spend_usd: Usd,
  calls: Type.Integer({ description: 'telemetry events, or finished runs' }),
  tokens: TokensByKind,
  gpu_seconds: Type.Number(),
  first_at: Nullable(Time),
  last_at: Nullable(Time),
  daily: Type.Array(DaySpend, { description: 'oldest first, at most 92 days' }),
  by_model: Type.Array(SpendShare, { description: 'largest first' }),
  by_provider: Type.Array(SpendShare),
  by_deployment: Type.Array(SpendShare),
});

export const SpendWindowView = Type.Object({
  scope: Type.Union([Type.Literal('tenant'), Type.Literal('deployment')]),
  key: Type.String(),
  window_start: Time,
  window_end: Time,
  spend_micros: Micros,
  spend_usd: Usd,
  calls: Type.Integer(),
  tokens: TokensByKind,
  gpu_seconds: Type.Number(),
  closed: Type.Boolean({ description: 'false while the window is still open (its figures may still grow)' }),
});

export const RunTableInfo = Type.Object({
  source: Type.String(),
  delta_version: Nullable(Type.Integer()),
  runs: Type.Integer(),
  finished: Type.Integer(),
  trained_on_version: Nullable(Type.Integer({ description: 'the table version the served model learned from, when it is this table' })),
  error: Nullable(Type.String()),
});

export const TenantSpend = Type.Object({
  tenant_id: Type.String(),
  metered: SpendTallyView,
  windows: Type.Array(SpendWindowView, { description: '10-second cost windows of the last hour, tenant and deployment scopes, oldest first' }),
  runs: Nullable(SpendTallyView),
});

export const SpendResponse = Type.Object({
  since: Time,
  window_seconds: Type.Integer(),
  run_table: Nullable(RunTableInfo),
  tenants: Type.Array(TenantSpend),
});

export const PlanSummary = Type.Object({
  kind: LaunchPlan.properties.kind,
  model: Type.String(),
  provider: Nullable(Type.String()),
  gpu_type: Nullable(Type.String()),
  gpu_count: Nullable(Type.Integer()),
  framework: Nullable(Type.String()),
  requests: Type.Integer(),
});

/** Pre-flight runs: running, expired (reservation lapsed), settled, released; run-table runs: their outcome. */
export const RunStatus = Type.Union([
  Type.Literal('running'), Type.Literal('expired'), Type.Literal('settled'), Type.Literal('released'),
  Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('cancelled'),
]);

export const RunView = Type.Object({
  run_id: Nullable(Type.String()),
  tenant_id: Type.String(),
  source: Type.Union([Type.Literal('preflight'), Type.Literal('run_table')]),
  status: RunStatus,
  plan: PlanSummary,
  launched_at: Time,
  ended_at: Nullable(Time),
  predicted_p50_usd: Nullable(Usd),
  predicted_p90_usd: Nullable(Usd),
  actual_usd: Nullable(Usd),
  reservation_id: Nullable(Type.String()),
  reserved_usd: Nullable(Usd),
  expires_at: Nullable(Time),
  model_version: Nullable(Type.String()),
  in_sample: Type.Boolean({ description: 'the served model learned from this run (its prediction is no test)' }),
});

export const DeniedRun = Type.Object({
  tenant_id: Type.String(),
  run_id: Nullable(Type.String()),
  at: Time,
  plan: PlanSummary,
  predicted_p50_usd: Usd,
  predicted_p90_usd: Usd,
  remaining_usd: Usd,
  reason: Type.String(),
  alternatives: Type.Array(Type.Object({ change: Type.String(), plan: PlanSummary, p50_usd: Usd, p90_usd: Usd })),
});

export const RunsResponse = Type.Object({
  runs: Type.Array(RunView, { description: 'runs reserved through pre-flight (newest first), then recent finished runs of the run table' }),
  denied: Type.Array(DeniedRun, { description: 'denied pre-flights, newest first' }),
  run_table: Nullable(RunTableInfo),
});

export const AccuracySummary = Type.Object({
  runs: Type.Integer(),
  median_ape: Nullable(Type.Number({ description: 'median |P50 - actual| / actual, in percent' })),
  p90_coverage: Nullable(Type.Number({ description: 'percentage of runs whose actual cost was at most the P90' })),
});

export const AccuracyPoint = Type.Object({
  run_id: Type.String(),
  tenant_id: Type.String(),
  kind: LaunchPlan.properties.kind,
  group: Type.String({ description: 'GPU x engine (self-hosted) or provider (API)' }),
  ended_at: Time,
  predicted_p50_usd: Usd,
  predicted_p90_usd: Usd,
  actual_usd: Usd,
  source: Type.Union([Type.Literal('preflight'), Type.Literal('run_table')]),
  in_sample: Type.Boolean(),
});

export const ModelAccuracyResponse = Type.Object({
  model_version: Nullable(Type.String()),
  basis: Type.Union([Type.Literal('out_of_sample'), Type.Literal('all')], {
    description: 'by_day and by_group use the runs the model never learned from when there are enough of them, else all runs',
  }),
  points: Type.Array(AccuracyPoint, { description: 'the most recent finished runs, newest first (at most 500)' }),
  by_day: Type.Array(Type.Object({ day: Type.String(), ...AccuracySummary.properties }), { description: 'by the UTC day the runs ended, oldest first' }),
  by_group: Type.Array(Type.Object({ group: Type.String(), ...AccuracySummary.properties }), { description: 'worst median error first' }),
  out_of_sample: AccuracySummary,
  in_sample: AccuracySummary,
  run_table: Nullable(RunTableInfo),
});

export const KeyScope = Type.Object({
  name: Nullable(Type.String()),
  admin: Type.Boolean(),
  tenants: Type.Array(Type.String(), { description: '["*"] for an admin key' }),
});

// Answers of routes the dashboard reads but does not own (checked against the live answers in test/ui).
export const BudgetView = Type.Object({
  tenant_id: Type.String(),
  window: Type.Union([Type.Literal('total'), Type.Literal('daily'), Type.Literal('monthly')]),
  limit_usd: Usd, limit_micros: Micros,
  spent_usd: Usd, spent_micros: Micros,
  reserved_usd: Usd, reserved_micros: Micros,
  remaining_usd: Usd, remaining_micros: Type.Integer(),
  open_reservations: Type.Integer(),
  alert: Type.Boolean(),
  alert_thresholds: Type.Array(Type.Number()),
  window_start: Nullable(Time),
  window_end: Nullable(Time),
  forecast: Type.Object({
    spend_rate_usd_per_day: Usd, days_left: Nullable(Type.Number()), runs_out_at: Nullable(Time), resets_first: Type.Boolean(),
  }),
  created_at: Time,
});

export const AlertView = Type.Object({
  id: Type.String(),
  tenant_id: Type.String(),
  kind: Type.Union([Type.Literal('threshold'), Type.Literal('deny'), Type.Literal('kill')]),
  subject: Type.String(),
  message: Type.String(),
  at: Time,
  spent_usd: Usd,
  limit_usd: Usd,
  delivery: Type.Object({ state: Type.String(), attempts: Type.Integer(), last_error: Nullable(Type.String()) }),
});

/** In percent (median_ape, mape, p90_coverage), as the card keeps them. */
const CvMetrics = Type.Object({
  rows: Type.Integer(), median_ape: Nullable(Type.Number()), mape: Nullable(Type.Number()),
  p90_coverage: Nullable(Type.Number()), p90_reserve_ratio: Nullable(Type.Number()),
});

export const ModelDescription = Type.Object({
  loaded_at: Nullable(Time),
  last_reload_error: Nullable(Type.String()),
  model: Nullable(Type.Object({
    version: Type.String(),
    created_at: Time,
    feature_spec: Type.Object({ version: Type.String() }),
    data: Type.Object({ source: Type.String(), rows: Type.Integer() }),
    library: Type.Object({ name: Type.String(), version: Type.String() }),
    targets: Type.Record(Type.String(), Type.Object({
      run_kind: Type.String(),
      cv: Type.Object({ scheme: Type.String(), folds: Type.Integer(), metrics: CvMetrics }),
      rows: Type.Object({ train: Type.Integer() }),
    })),
  })),
});

export type SpendTallyView = Static<typeof SpendTallyView>;
export type SpendWindowView = Static<typeof SpendWindowView>;
export type TenantSpend = Static<typeof TenantSpend>;
export type SpendResponse = Static<typeof SpendResponse>;
export type RunTableInfo = Static<typeof RunTableInfo>;
export type PlanSummary = Static<typeof PlanSummary>;
export type RunView = Static<typeof RunView>;
export type DeniedRun = Static<typeof DeniedRun>;
export type RunsResponse = Static<typeof RunsResponse>;
export type AccuracySummary = Static<typeof AccuracySummary>;
export type AccuracyPoint = Static<typeof AccuracyPoint>;
export type ModelAccuracyResponse = Static<typeof ModelAccuracyResponse>;
export type KeyScope = Static<typeof KeyScope>;
export type BudgetView = Static<typeof BudgetView>;
export type AlertView = Static<typeof AlertView>;
export type ModelDescription = Static<typeof ModelDescription>;
