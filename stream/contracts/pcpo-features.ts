import { Type, type Static } from '@sinclair/typebox';
import { Count, Id, LIMITS, Micros, NonNegative, Opt, Timestamp } from './common.js';

export const RUN_RECORD_SCHEMA_VERSION = 1;

export const RunKind = Type.Union([Type.Literal('api'), Type.Literal('self_hosted')]);
export type RunKind = Static<typeof RunKind>;

export const PrecisionName = Type.Union([
  Type.Literal('fp32'), Type.Literal('bf16'), Type.Literal('fp16'), Type.Literal('fp8'), Type.Literal('int8'), Type.Literal('int4'),
]);

/** What the launcher asks for: everything known before the run starts. */
export const LaunchPlan = Type.Object({
  kind: RunKind,
  provider: Opt(Id('api: openai, anthropic, gemini; self_hosted: the cloud (aws, gcp, lambda, …)')),
  model: Id('model name; resolved through the catalog'),
  gpu_type: Opt(Id('self_hosted: GPU name; resolved through the catalog')),
  gpu_count: Opt(Type.Integer({ minimum: 1, maximum: LIMITS.gpuCount })),
  framework: Opt(Id('self_hosted serving engine: vllm, tensorrt-llm, llama.cpp, tgi, …')),
  precision: Opt(PrecisionName),
  batch_size: Type.Integer({ minimum: 1, maximum: LIMITS.batchSize, description: 'requests served concurrently; at most requests' }),
  requests: Type.Integer({ minimum: 1, maximum: LIMITS.requests, description: 'requests in the run' }),
  prompt_tokens: Type.Integer({ minimum: 0, maximum: LIMITS.tokens, description: 'prompt tokens per request (mean)' }),
  max_output_tokens: Type.Integer({ minimum: 1, maximum: LIMITS.tokens, description: 'output token limit per request' }),
  spot: Opt(Type.Boolean()),
  region: Opt(Id('cloud region')),
});
export type LaunchPlan = Static<typeof LaunchPlan>;

/** The prices looked up at launch, so that training sees what the launcher saw. */
export const LaunchPrices = Type.Object({
  gpu_usd_per_hour: Opt(Type.Number({ minimum: 0, maximum: LIMITS.gpuUsdPerHour, description: 'per GPU' })),
  input_usd_per_mtok: Opt(Type.Number({ minimum: 0, maximum: LIMITS.usdPerMtok, description: 'per million prompt tokens' })),
  output_usd_per_mtok: Opt(Type.Number({ minimum: 0, maximum: LIMITS.usdPerMtok, description: 'per million output tokens' })),
  source: Opt(Type.String()),
  as_of: Opt(Type.String()),
});
export type LaunchPrices = Static<typeof LaunchPrices>;

export const RunOutcome = Type.Object({
  ended_at: Timestamp('when the run finished'),
  status: Type.Union([Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('cancelled')]),
  gpu_seconds: Opt(NonNegative('self_hosted: wall seconds x GPU count')),
  input_tokens: Opt(Count('prompt tokens in all')),
  output_tokens: Opt(Count('generated tokens in all')),
  cost_usd_micros: Micros('actual cost of the run'),
});
export type RunOutcome = Static<typeof RunOutcome>;

/** `lut.pcpo-features`: one record per launched run. Key: run_id. The outcome is the training label. */
export const RunRecord = Type.Object(
  {
    schema_version: Type.Literal(RUN_RECORD_SCHEMA_VERSION),
    run_id: Id('unique per run'),
    tenant_id: Id('tenant that launched the run'),
    launched_at: Timestamp('launch time; features see only history before it'),
    plan: LaunchPlan,
    context: Opt(Type.Object({ prices: Opt(LaunchPrices) })),
    outcome: Opt(RunOutcome),
  },
  { $id: 'lut.pcpo-features', title: 'lut.pcpo-features run record', additionalProperties: true },
);
export type RunRecord = Static<typeof RunRecord>;
