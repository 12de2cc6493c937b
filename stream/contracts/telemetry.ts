import { Type, type Static } from '@sinclair/typebox';
import { Count, Id, Micros, NonNegative, Opt, Timestamp } from './common.js';

export const TELEMETRY_SCHEMA_VERSION = 1;

/** Token counts by kind; a count the provider did not report stays absent rather than 0. */
export const TokenCounts = Type.Object({
  input: Opt(Count('prompt tokens in all, cached ones included')),
  cached_input: Opt(Count('prompt tokens read from the provider cache')),
  cache_write: Opt(Count('prompt tokens written to the provider cache')),
  output: Opt(Count('generated tokens in all, reasoning included')),
  reasoning: Opt(Count('reasoning tokens, part of output')),
});

/** `lut.telemetry`: one event per priced call or GPU-time tick. Key: tenant_id (or deployment_id). */
export const TelemetryEvent = Type.Object(
  {
    schema_version: Type.Literal(TELEMETRY_SCHEMA_VERSION),
    event_id: Id('unique per event; aggregation counts an id once'),
    event_time: Timestamp('when the call ended or the tick was taken'),
    tenant_id: Id('tenant the cost belongs to'),
    deployment_id: Opt(Id('self-hosted deployment, for GPU-time events')),
    run_id: Opt(Id('the run this event is part of')),
    lease_id: Opt(Id('the budget reservation (an SDK lease, a pre-flight) this cost was spent under: charged once against it')),
    provider: Id('openai, anthropic, gemini, or self_hosted'),
    model: Id('model name as the caller gave it'),
    tokens: Opt(TokenCounts),
    gpu: Opt(Type.Object({
      type: Id('catalog GPU id'),
      count: Type.Integer({ minimum: 1 }),
      seconds: NonNegative('wall seconds of this tick (GPU-seconds = seconds x count)'),
    })),
    cost_usd_micros: Micros('cost of this event'),
    latency_ms: Opt(NonNegative('wall time of the call')),
    outcome: Type.Union([Type.Literal('ok'), Type.Literal('error'), Type.Literal('aborted'), Type.Literal('refused')]),
  },
  { $id: 'lut.telemetry', title: 'lut.telemetry event', additionalProperties: true },
);
export type TelemetryEvent = Static<typeof TelemetryEvent>;
