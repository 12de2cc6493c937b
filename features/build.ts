import type { RunRecord } from '../stream/index.js';
import type { FeatureContext } from './context.js';
import { frameworkCode, isLayerSplit, VENDOR_CODES } from './frameworks.js';
import { kvBytesPerToken } from '../pricing/index.js';
import { physicsTerms, rooflineFromTerms } from './physics.js';
import { FEATURE_COUNT, FEATURE_INDEX as F } from './spec.js';

function hourOfDayUtc(iso: string): number {
  // ISO strings in UTC ("...T14:05:00Z") carry the hour at a fixed place; others go through Date.
  if (iso.charCodeAt(iso.length - 1) === 90 /* Z */ && iso.charCodeAt(10) === 84 /* T */) {
    return (iso.charCodeAt(11) - 48) * 10 + (iso.charCodeAt(12) - 48);
  }
  return new Date(iso).getUTCHours();
}

const PHYSICS = [
  F.roofline_gpu_seconds,
  F.prefill_compute_gpu_seconds,
  F.prefill_memory_gpu_seconds,
  F.decode_memory_gpu_seconds,
  F.decode_compute_gpu_seconds,
  F.interconnect_gpu_seconds,
  F.layer_steps_k,
  F.kv_cache_pressure,
  F.weights_memory_share,
];

/**
 * The one feature builder, for training and serving alike: a run record and its resolved context to
 * the feature vector of `FEATURES` (features/spec.ts). Pure; writes into `out` when given.
 */
export function buildFeatures(
  r: RunRecord,
  ctx: FeatureContext,
  out: Float32Array = new Float32Array(FEATURE_COUNT),
): Float32Array {
  const p = r.plan;
  const selfHosted = p.kind === 'self_hosted';
  const m = ctx.model;
  const g = selfHosted ? ctx.gpu : undefined;
  const gpuCount = selfHosted ? (p.gpu_count ?? NaN) : NaN;
  const framework = selfHosted ? frameworkCode(p.framework) : 0;

  out[F.provider_kind] = selfHosted ? 1 : 0;
  out[F.model_total_params_b] = m ? m.totalParamsB : NaN;
  out[F.model_active_params_b] = m ? m.activeParamsB : NaN;
  out[F.precision_bits] = ctx.precisionBits;
  out[F.framework_code] = framework;
  out[F.batch_size] = p.batch_size;
  out[F.requests] = p.requests;
  out[F.prompt_tokens] = p.prompt_tokens;
  out[F.max_output_tokens] = p.max_output_tokens;
  out[F.gpu_count] = gpuCount;
  out[F.gpu_memory_gb] = g ? g.memoryGb : NaN;
  out[F.gpu_memory_bandwidth_tbps] = g ? g.memoryBandwidthGbps / 1000 : NaN;
  out[F.gpu_bf16_tflops] = g ? g.bf16Tflops : NaN;
  out[F.gpu_usd_per_hour] = ctx.gpuUsdPerHour;
  out[F.input_usd_per_mtok] = ctx.inputUsdPerMtok;
  out[F.output_usd_per_mtok] = ctx.outputUsdPerMtok;
  out[F.worst_case_cost_usd] = selfHosted
    ? NaN
    : (p.requests * (p.prompt_tokens * ctx.inputUsdPerMtok + p.max_output_tokens * ctx.outputUsdPerMtok)) / 1e6;
  out[F.tenant_output_ratio_recent] = ctx.history.outputRatioRecent;
  out[F.tenant_spend_usd_last_day] = ctx.history.spendMicrosLastDay / 1e6;
  out[F.hour_of_day_utc] = hourOfDayUtc(r.launched_at);
  out[F.gpu_vendor_code] = g ? (VENDOR_CODES[g.vendor] ?? NaN) : NaN;
  out[F.gpu_interconnect_gbps] = g ? (g.interconnectGbps ?? NaN) : NaN;
  out[F.model_layers] = m ? m.layers : NaN;
  out[F.model_kv_kib_per_token] = m ? kvBytesPerToken(m) / 1024 : NaN;
  out[F.tenant_output_tokens_per_request_recent] = ctx.history.outputPerRequestRecent;
  out[F.tenant_runs_observed] = ctx.history.runsObserved;
  if (selfHosted && m && g && Number.isFinite(ctx.precisionBits) && gpuCount > 0) {
    const t = physicsTerms({
      model: m,
      gpu: g,
      gpuCount,
      precisionBits: ctx.precisionBits,
      batchSize: p.batch_size,
      requests: p.requests,
      promptTokens: p.prompt_tokens,
      outputTokens: p.max_output_tokens,
      layerSplit: isLayerSplit(framework),
    });
    out[F.roofline_gpu_seconds] = rooflineFromTerms(t);
    out[F.prefill_compute_gpu_seconds] = t.prefillCompute;
    out[F.prefill_memory_gpu_seconds] = t.prefillMemory;
    out[F.decode_memory_gpu_seconds] = t.decodeMemory;
    out[F.decode_compute_gpu_seconds] = t.decodeCompute;
    out[F.interconnect_gpu_seconds] = t.interconnect;
    out[F.layer_steps_k] = t.layerStepsK;
    out[F.kv_cache_pressure] = t.kvPressure;
    out[F.weights_memory_share] = t.weightsShare;
  } else {
    for (const i of PHYSICS) out[i] = NaN;
  }
  return out;
}
