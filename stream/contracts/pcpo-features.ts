import { Type, type Static } from '@sinclair/typebox';
import { Count, Id, LIMITS, Micros, NonNegative, Opt, Timestamp } from './common.js';

export const RUN_RECORD_SCHEMA_VERSION = 1;

export const RunKind = Type.Union([Type.Literal('api'), Type.Literal('self_hosted')]);
export type RunKind = Static<typeof RunKind>;

export const PrecisionName = Type.Union([
  Type.Literal('fp32'), Type.Literal('bf16'), Type.Literal('fp16'), Type.Literal('fp8'), Type.Literal('int8'), Type.Literal('int4'),
]);

/**
 * An open model the catalog may not know, described by its architecture (see pricing/model-arch.ts). With it,
 * a self-hosted plan is priced from the description instead of being refused as an unknown model.
 */
export const ModelArch = Type.Object({
  params_b: Type.Number({ exclusiveMinimum: 0, maximum: 100_000, description: 'billions of parameters in all' }),
  active_params_b: Opt(Type.Number({ exclusiveMinimum: 0, maximum: 100_000, description: 'billions used per token (mixture-of-experts); the total when absent' })),
  layers: Type.Integer({ minimum: 1, maximum: 10_000 }),
  hidden_size: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
  attention_heads: Opt(Type.Integer({ minimum: 1, maximum: 100_000 })),
  kv_heads: Opt(Type.Integer({ minimum: 1, maximum: 100_000, description: 'key/value heads; attention_heads when absent' })),
  head_dim: Opt(Type.Integer({ minimum: 1, maximum: 100_000, description: 'hidden_size / attention_heads when absent' })),
  context_window: Opt(Type.Integer({ minimum: 1, maximum: LIMITS.tokens })),
  experts: Opt(Type.Integer({ minimum: 1, maximum: 100_000 })),
  experts_per_token: Opt(Type.Integer({ minimum: 1, maximum: 100_000 })),
});
export type ModelArch = Static<typeof ModelArch>;

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
  model_arch: Opt(ModelArch),
  hf_config: Opt(Type.Record(Type.String(), Type.Unknown(), { maxProperties: 1000, description: "the open model's Hugging Face config.json, when the catalog does not know it" })),
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
