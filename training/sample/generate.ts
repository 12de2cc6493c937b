import { createRng, type Rng } from '../../lib/random.js';
import { gpuTimeCostMicros, microsToUsd, PRECISION_BITS, tokenCostMicros, type Catalog, type GpuSpec, type ModelSpec } from '../../pricing/index.js';
import { frameworkCode, isLayerSplit, rooflineGpuSeconds } from '../../features/index.js';
import { assertValid, RUN_RECORD_SCHEMA_VERSION, TELEMETRY_SCHEMA_VERSION, type LaunchPlan, type RunOutcome, type RunRecord, type TelemetryEvent } from '../../stream/index.js';
import { AZURE_OUTPUT, AZURE_PROMPT, EFFICIENCY } from './calibration.js';
import { SAMPLE_TENANTS, type TenantProfile } from './tenants.js';

export interface SampleOptions {
  readonly catalog: Catalog;
  readonly seed?: number;
  readonly runs?: number;
  readonly start?: string;
  readonly days?: number;
}

export interface Sample {
  readonly records: RunRecord[];
  readonly telemetry: TelemetryEvent[];
}

const HOUR_WEIGHTS = Array.from({ length: 24 }, (_, h) => [h, 1 + Math.sin(((h - 9) / 24) * 2 * Math.PI) * 0.8] as const);
const FRAMEWORKS = [['vllm', 0.5], ['tensorrt-llm', 0.2], ['tgi', 0.15], ['deepspeed-mii', 0.1], ['llama.cpp', 0.05]] as const;

function launchTime(rng: Rng, start: number, days: number): number {
  const day = rng.int(0, days - 1);
  const hour = rng.weighted(HOUR_WEIGHTS);
  return start + day * 86_400_000 + hour * 3_600_000 + Math.floor(rng.next() * 3_600_000);
}

/** A failed or cancelled run stops part-way: it used, and is billed, a fraction of the full run. */
function endState(rng: Rng): { status: RunOutcome['status']; fraction: number } {
  const u = rng.next();
  if (u < 0.03) return { status: 'failed', fraction: 0.1 + 0.8 * rng.next() };
  if (u < 0.04) return { status: 'cancelled', fraction: 0.1 + 0.8 * rng.next() };
  return { status: 'succeeded', fraction: 1 };
}

function apiRun(rng: Rng, t: TenantProfile, catalog: Catalog, launched: number): { plan: LaunchPlan; outcome: RunOutcome; record: Partial<RunRecord> } {
  const price = catalog.tokenPrices.get(rng.pick(t.apiModels));
  const requests = rng.weighted([[10, 2], [20, 3], [50, 4], [100, 2], [200, 1]]);
  const maxOut = Math.min(price.maxOutputTokens, rng.weighted([[256, 1], [512, 2], [1024, 3], [2048, 2], [4096, 1]]));
  const pIn = AZURE_PROMPT[t.workload], pOut = AZURE_OUTPUT[t.workload];
  let input = 0, output = 0;
  for (let i = 0; i < requests; i++) {
    input += Math.max(1, Math.min(price.contextWindow - maxOut, Math.round(rng.logNormal(pIn.mu, pIn.sigma))));
    output += Math.max(1, Math.min(maxOut, Math.round(rng.logNormal(pOut.mu + t.outputShift, pOut.sigma))));
  }
  const end = endState(rng);
  output = Math.round(output * end.fraction);
  const batch = rng.pick([1, 4, 8]);
  const seconds = (requests / batch) * (0.4 + output / requests / 80);
  return {
    plan: { kind: 'api', provider: price.provider, model: price.id, batch_size: batch, requests, prompt_tokens: Math.round(input / requests), max_output_tokens: maxOut },
    record: { context: { prices: { input_usd_per_mtok: microsToUsd(price.input), output_usd_per_mtok: microsToUsd(price.output), source: price.source, as_of: price.asOf } } },
    outcome: { ended_at: new Date(launched + Math.round(seconds * 1000)).toISOString(), status: end.status, input_tokens: input, output_tokens: output, cost_usd_micros: tokenCostMicros(input, price.input) + tokenCostMicros(output, price.output) },
  };
}

/** Smallest power-of-two GPU count whose memory holds the weights with 20 % to spare. */
function gpusFor(model: ModelSpec, gpu: GpuSpec): number | undefined {
  const bytes = model.totalParamsB * 1e9 * (PRECISION_BITS[model.defaultPrecision] / 8);
  return [1, 2, 4, 8].find((n) => bytes <= 0.8 * n * gpu.memoryGb * 1e9);
}

function selfHostedRun(rng: Rng, t: TenantProfile, catalog: Catalog, launched: number) {
  const model = catalog.models.get(rng.pick(t.openModels));
  const fits = t.gpus.map((g) => catalog.gpus.get(g)).filter((g) => gpusFor(model, g) !== undefined);
  const gpu = rng.pick(fits.length ? fits : [catalog.gpus.get('H200')]);
  const count = gpusFor(model, gpu) ?? 8;
  const framework = rng.weighted(FRAMEWORKS);
  const batch = rng.pick([1, 8, 16, 32, 64]);
  const requests = batch * rng.int(1, 20);
  let prompt = rng.pick([128, 256, 512, 1024, 2048]);
  const maxOut = rng.pick([128, 256, 512, 1024]);
  prompt = Math.min(prompt, model.contextWindow - maxOut);
  let spot = rng.next() < 0.25;
  let quote;
  try { quote = catalog.gpuPrices.quote(gpu.id, { spot }); } catch { spot = false; quote = catalog.gpuPrices.quote(gpu.id); }
  const bits = PRECISION_BITS[model.defaultPrecision];
  const ideal = rooflineGpuSeconds({ model, gpu, gpuCount: count, precisionBits: bits, batchSize: batch, requests, promptTokens: prompt, outputTokens: maxOut, layerSplit: isLayerSplit(frameworkCode(framework)) });
  const e = EFFICIENCY[framework];
  const end = endState(rng);
  const gpuSeconds = ideal * Math.exp(e.a + e.b * Math.log2(batch) + e.c * Math.log2(count) + e.sigma * rng.normal()) * end.fraction;
  const rounded = Math.round(gpuSeconds * 1000) / 1000;
  return {
    plan: { kind: 'self_hosted' as const, provider: quote.price.provider, region: quote.price.region, model: model.id, gpu_type: gpu.id, gpu_count: count, framework, precision: model.defaultPrecision, batch_size: batch, requests, prompt_tokens: prompt, max_output_tokens: maxOut, spot },
    record: { context: { prices: { gpu_usd_per_hour: microsToUsd(quote.microsPerGpuHour), source: quote.price.source, as_of: quote.price.asOf } } },
    outcome: { ended_at: new Date(launched + Math.round((rounded / count) * 1000)).toISOString(), status: end.status, gpu_seconds: rounded, input_tokens: requests * prompt, output_tokens: Math.round(requests * maxOut * end.fraction), cost_usd_micros: gpuTimeCostMicros(Math.round(rounded * 1000), quote.microsPerGpuHour) },
  };
}

function telemetryFor(r: RunRecord): TelemetryEvent {
  const o = r.outcome!, p = r.plan;
  return {
    schema_version: TELEMETRY_SCHEMA_VERSION,
    event_id: `${r.run_id}-end`,
    event_time: o.ended_at,
    tenant_id: r.tenant_id,
    run_id: r.run_id,
    ...(p.kind === 'self_hosted' ? { deployment_id: `${r.tenant_id}-${p.model}-${p.gpu_type}`, provider: 'self_hosted', gpu: { type: p.gpu_type!, count: p.gpu_count!, seconds: o.gpu_seconds! / p.gpu_count! } } : { provider: p.provider!, tokens: { input: o.input_tokens, output: o.output_tokens } }),
    model: p.model,
    cost_usd_micros: o.cost_usd_micros,
    latency_ms: Date.parse(o.ended_at) - Date.parse(r.launched_at),
    outcome: o.status === 'succeeded' ? 'ok' : o.status === 'cancelled' ? 'aborted' : 'error',
  };
}

/**
 * Deterministic sample runs: tenants with their own mix of API and self-hosted work over a few weeks.
 * Self-hosted GPU-seconds follow the roofline times the efficiency fitted on LLM-Inference-Bench;
 * API prompt and output lengths follow the Azure traces (see calibration.ts).
 */
export function generateSample(opts: SampleOptions): Sample {
  const { catalog } = opts;
  const rng = createRng(opts.seed ?? 42);
  const start = Date.parse(opts.start ?? '2026-10-01T00:00:00Z');
  const days = opts.days ?? 21;
  const n = opts.runs ?? 3000;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`runs: expected a positive integer, got ${n}`);
  const tenants = SAMPLE_TENANTS.map((t) => [t, t.weight] as const);
  const records: RunRecord[] = [];
  for (let i = 0; i < n; i++) {
    const t = rng.weighted(tenants);
    const launched = launchTime(rng, start, days);
    const run = rng.next() < t.apiShare ? apiRun(rng, t, catalog, launched) : selfHostedRun(rng, t, catalog, launched);
    const record = { schema_version: RUN_RECORD_SCHEMA_VERSION, run_id: `run-${String(i).padStart(6, '0')}`, tenant_id: t.id, launched_at: new Date(launched).toISOString(), plan: run.plan, ...run.record, outcome: run.outcome };
    records.push(assertValid('lut.pcpo-features', record, ` (sample run ${i})`));
  }
  records.sort((a, b) => a.launched_at.localeCompare(b.launched_at) || a.run_id.localeCompare(b.run_id));
  const telemetry = records.map(telemetryFor).sort((a, b) => a.event_time.localeCompare(b.event_time) || a.event_id.localeCompare(b.event_id));
  telemetry.forEach((e) => assertValid('lut.telemetry', e, ` (sample event ${e.event_id})`));
  return { records, telemetry };
}
