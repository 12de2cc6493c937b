import type { RunRecord } from '../stream/index.js';
import type { FeatureContext } from './context.js';
import { frameworkCode } from './frameworks.js';
import { rooflineGpuSeconds } from './roofline.js';
import { FEATURE_COUNT } from './spec.js';

function hourOfDayUtc(iso: string): number {
  // ISO strings in UTC ("...T14:05:00Z") carry the hour at a fixed place; others go through Date.
  if (iso.charCodeAt(iso.length - 1) === 90 /* Z */ && iso.charCodeAt(10) === 84 /* T */) {
    return (iso.charCodeAt(11) - 48) * 10 + (iso.charCodeAt(12) - 48);
  }
  return new Date(iso).getUTCHours();
}

/**
 * The one feature builder, for training and serving alike: a run record and its resolved context to
 * the 21-feature vector of `FEATURES` (features/spec.ts). Pure; writes into `out` when given.
 */
export function buildFeatures(r: RunRecord, ctx: FeatureContext, out: Float32Array = new Float32Array(FEATURE_COUNT)): Float32Array {
  const p = r.plan;
  const selfHosted = p.kind === 'self_hosted';
  const m = ctx.model;
  const g = selfHosted ? ctx.gpu : undefined;
  const gpuCount = selfHosted ? p.gpu_count ?? NaN : NaN;

  out[0] = selfHosted ? 1 : 0;
  out[1] = m ? m.totalParamsB : NaN;
  out[2] = m ? m.activeParamsB : NaN;
  out[3] = ctx.precisionBits;
  out[4] = selfHosted ? frameworkCode(p.framework) : 0;
  out[5] = p.batch_size;
  out[6] = p.requests;
  out[7] = p.prompt_tokens;
  out[8] = p.max_output_tokens;
  out[9] = gpuCount;
  out[10] = g ? g.memoryGb : NaN;
  out[11] = g ? g.memoryBandwidthGbps / 1000 : NaN;
  out[12] = g ? g.bf16Tflops : NaN;
  out[13] = ctx.gpuUsdPerHour;
  out[14] = ctx.inputUsdPerMtok;
  out[15] = ctx.outputUsdPerMtok;
  out[16] = selfHosted && m && g && Number.isFinite(ctx.precisionBits)
    ? rooflineGpuSeconds({ model: m, gpu: g, gpuCount, precisionBits: ctx.precisionBits, batchSize: p.batch_size, requests: p.requests, promptTokens: p.prompt_tokens, outputTokens: p.max_output_tokens })
    : NaN;
  out[17] = selfHosted ? NaN : (p.requests * (p.prompt_tokens * ctx.inputUsdPerMtok + p.max_output_tokens * ctx.outputUsdPerMtok)) / 1e6;
  out[18] = ctx.history.outputRatioRecent;
  out[19] = ctx.history.spendMicrosLastDay / 1e6;
  out[20] = hourOfDayUtc(r.launched_at);
  return out;
}
