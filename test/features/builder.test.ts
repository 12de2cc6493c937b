import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildFeatures, createFeatureBuilder, FEATURE_COUNT, FEATURE_INDEX as F, FEATURE_SPEC_HASH, FEATURES, featureSpec, physicsTerms, resolveContext, rooflineGpuSeconds, TenantHistory } from '../../features/index.js';
import { builtinCatalog, PricingError } from '../../pricing/index.js';
import type { RunRecord } from '../../stream/index.js';
import { apiRun } from '../helpers/records.js';

const catalog = builtinCatalog();

const gpuRun = (over: Partial<RunRecord> = {}): RunRecord => ({
  schema_version: 1, run_id: 'g1', tenant_id: 'acme', launched_at: '2026-10-02T13:30:00Z',
  plan: { kind: 'self_hosted', model: 'meta-llama/Meta-Llama-3-70B', gpu_type: 'nvidia-h100', gpu_count: 4, framework: 'vLLM', batch_size: 16, requests: 64, prompt_tokens: 512, max_output_tokens: 256 },
  ...over,
});

describe('feature spec', () => {
  it('has 35 features (spec 2.0.0), each with unit, source and missing-value rule', () => {
    expect(FEATURE_COUNT).toBe(35);
    expect(featureSpec().version).toBe('2.0.0');
    expect(new Set(FEATURES.map((f) => f.name)).size).toBe(35);
    for (const f of FEATURES) expect(f.unit && f.source && f.missing && f.description).toBeTruthy();
  });

  it('hashes its canonical content', () => {
    const spec = featureSpec();
    expect(spec.hash).toBe(createHash('sha256').update(JSON.stringify({ version: spec.version, features: spec.features })).digest('hex'));
    expect(FEATURE_SPEC_HASH).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('buildFeatures', () => {
  it('turns a self-hosted plan into catalog facts, prices and physics', () => {
    const r = gpuRun();
    const v = buildFeatures(r, resolveContext(r, catalog));
    expect(v).toBeInstanceOf(Float32Array);
    expect(v.length).toBe(FEATURE_COUNT);
    expect(v[F.provider_kind]).toBe(1);
    expect(v[F.model_total_params_b]).toBeCloseTo(70.55, 4);
    expect(v[F.precision_bits]).toBe(16);
    expect(v[F.framework_code]).toBe(1);
    expect(v[F.gpu_count]).toBe(4);
    expect(v[F.gpu_memory_bandwidth_tbps]).toBeCloseTo(3.35, 5);
    expect(v[F.gpu_usd_per_hour]).toBeCloseTo(3.99, 5);
    expect(v[F.gpu_vendor_code]).toBe(0);
    expect(v[F.model_layers]).toBe(80);
    expect(v[F.model_kv_kib_per_token]).toBe(320); // 2 x 80 layers x 8 heads x 128 x 2 bytes
    expect(Number.isNaN(v[F.input_usd_per_mtok])).toBe(true);
    expect(Number.isNaN(v[F.worst_case_cost_usd])).toBe(true);
    expect(v[F.hour_of_day_utc]).toBe(13);
    // Tensor parallel over 4: 4 waves of 16, each of 256 decode steps reading 141 GB of weights over 4 x 3.35 TB/s.
    const weightRead = (70.55e9 * 2) / (4 * 3350e9);
    expect(v[F.decode_memory_gpu_seconds]).toBeGreaterThan(4 * 256 * weightRead * 4);
    expect(v[F.interconnect_gpu_seconds]).toBeGreaterThan(0);
    expect(v[F.layer_steps_k]).toBeCloseTo((4 * 4 * 257 * 80) / 1e3, 3);
    expect(v[F.weights_memory_share]).toBeCloseTo((70.55e9 * 2) / 4 / 80e9, 4);
    expect(v[F.roofline_gpu_seconds]).toBeCloseTo(rooflineGpuSeconds({ model: catalog.models.get('llama-3-70b'), gpu: catalog.gpus.get('H100-SXM'), gpuCount: 4, precisionBits: 16, batchSize: 16, requests: 64, promptTokens: 512, outputTokens: 256 }), 2);
  });

  it('prices an open model the catalog lacks from its architecture or its config.json, and explains an undescribed one', () => {
    const arch = { params_b: 6.05, layers: 28, hidden_size: 4096, attention_heads: 16, context_window: 2048 };
    const described = gpuRun({ plan: { ...gpuRun().plan, model: 'acme/secret-6b', gpu_count: 1, model_arch: arch } });
    const v = buildFeatures(described, resolveContext(described, catalog));
    expect(v[F.model_total_params_b]).toBeCloseTo(6.05, 5);
    expect(v[F.model_kv_kib_per_token]).toBe(448); // MHA: 2 x 28 layers x 16 heads x 256 dims x 2 bytes
    expect(v[F.roofline_gpu_seconds]).toBeGreaterThan(0);
    const hf = { model_type: 'gptj', n_embd: 4096, n_layer: 28, n_head: 16, vocab_size: 50400, n_positions: 2048, tie_word_embeddings: false, torch_dtype: 'float32' };
    const fromConfig = gpuRun({ plan: { ...gpuRun().plan, model: 'acme/secret-6b', gpu_count: 1, hf_config: hf } });
    const w = buildFeatures(fromConfig, resolveContext(fromConfig, catalog));
    expect(w[F.model_total_params_b]).toBeCloseTo(6.05, 2);
    expect(w[F.precision_bits]).toBe(16); // fp32 checkpoints are served in fp16
    expect(w[F.roofline_gpu_seconds]).toBeCloseTo(v[F.roofline_gpu_seconds], 1);
    const unknown = gpuRun({ plan: { ...gpuRun().plan, model: 'acme/secret-6b' } });
    expect(() => resolveContext(unknown, catalog)).toThrow(/unknown model 'acme\/secret-6b' in \/plan\/model.*\/plan\/model_arch.*\/plan\/hf_config/);
    const bad = gpuRun({ plan: { ...gpuRun().plan, model: 'acme/secret-6b', model_arch: { ...arch, kv_heads: 32 } } });
    expect(() => resolveContext(bad, catalog)).toThrow(expect.objectContaining({ code: 'BAD_MODEL_ARCH', field: '/plan/model_arch/kv_heads' }));
  });

  it('the common open families are in the catalog (the study\'s models among them)', () => {
    for (const name of ['bigscience/bloom-7b1', 'EleutherAI/gpt-j-6b', 'facebook/opt-6.7b', 'facebook/opt-13b', 'Qwen/Qwen1.5-7B', 'huggyllama/llama-13b', 'google/gemma-1.1-7b-it', 'google/gemma-7b', 'mistralai/Mistral-7B-Instruct-v0.3', 'Qwen/Qwen2.5-7B-Instruct-AWQ', 'tiiuae/falcon-7b', 'microsoft/phi-2']) {
      expect(catalog.models.find(name), name).toBeDefined();
    }
  });

  it('physics: more prompt tokens, output tokens or requests never cost less, term by term (property)', () => {
    const models = catalog.models.entries, gpus = catalog.gpus.entries;
    fc.assert(fc.property(
      fc.integer({ min: 0, max: models.length - 1 }), fc.integer({ min: 0, max: gpus.length - 1 }), fc.constantFrom(1, 2, 4, 8), fc.boolean(),
      fc.integer({ min: 1, max: 256 }), fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 0, max: 20000 }), fc.integer({ min: 1, max: 8000 }),
      fc.constantFrom('prompt', 'output', 'requests'), fc.integer({ min: 1, max: 5000 }),
      (mi, gi, n, layerSplit, batch, requests, prompt, out, which, more) => {
        const base = { model: models[mi], gpu: gpus[gi], gpuCount: n, precisionBits: 16, batchSize: Math.min(batch, requests), requests, promptTokens: prompt, outputTokens: out, layerSplit };
        const grown = { ...base, promptTokens: prompt + (which === 'prompt' ? more : 0), outputTokens: out + (which === 'output' ? more : 0), requests: requests + (which === 'requests' ? more : 0) };
        const a = physicsTerms(base), b = physicsTerms(grown);
        for (const k of Object.keys(a) as (keyof typeof a)[]) {
          if (k === 'weightsShare') continue;
          expect(b[k], k).toBeGreaterThanOrEqual(a[k] * (1 - 1e-12));
        }
      },
    ), { numRuns: 300 });
  });

  it('marks GPU facts missing for API runs and computes the worst-case token bound', () => {
    const r = apiRun();
    const v = buildFeatures(r, resolveContext(r, catalog));
    expect(v[F.provider_kind]).toBe(0);
    for (const k of ['gpu_count', 'gpu_memory_gb', 'gpu_bf16_tflops', 'gpu_usd_per_hour', 'roofline_gpu_seconds', 'decode_memory_gpu_seconds', 'gpu_vendor_code', 'model_total_params_b']) expect(Number.isNaN(v[F[k]]), k).toBe(true);
    expect(v[F.worst_case_cost_usd]).toBeCloseTo((50 * (1000 * 2.5 + 1024 * 10)) / 1e6, 5);
    expect(Number.isNaN(v[F.tenant_output_ratio_recent])).toBe(true);
    expect(Number.isNaN(v[F.tenant_output_tokens_per_request_recent])).toBe(true);
    expect(v[F.tenant_runs_observed]).toBe(0);
    expect(v[F.tenant_spend_usd_last_day]).toBe(0);
  });

  it('uses the prices recorded at launch over the catalog', () => {
    const r = { ...apiRun(), context: { prices: { input_usd_per_mtok: 1, output_usd_per_mtok: 3 } } };
    const v = buildFeatures(r, resolveContext(r, catalog));
    expect([v[F.input_usd_per_mtok], v[F.output_usd_per_mtok]]).toEqual([1, 3]);
  });

  it('names the field of an unknown GPU', () => {
    const r = gpuRun();
    r.plan.gpu_type = 'H1000';
    expect(() => resolveContext(r, catalog)).toThrow(PricingError);
    expect(() => resolveContext(r, catalog)).toThrow(/\/plan\/gpu_type/);
  });
});

describe('stateful builder', () => {
  const at = (h: number) => new Date(Date.UTC(2026, 9, 1, h)).toISOString();
  const run = (id: string, launchH: number, endH: number, output: number, cost: number, tenant = 'acme'): RunRecord => ({
    ...apiRun(), run_id: id, tenant_id: tenant, launched_at: at(launchH),
    outcome: { ended_at: at(endH), status: 'succeeded', input_tokens: 50_000, output_tokens: output, cost_usd_micros: cost },
  });

  it('replays point-in-time: a run sees only outcomes that finished before it launched', () => {
    const records = [
      run('a', 0, 5, 51_200, 1_000_000), // ratio 51200 / (50 x 1024) = 1.0, ends at 05:00
      run('b', 1, 2, 25_600, 2_000_000), // ratio 0.5, ends at 02:00
      run('c', 3, 4, 0, 0), // launched at 03:00: sees b only
      run('d', 5, 6, 0, 0), // launched at 05:00, when a ends: a launch sorts first, so d does not see a
      run('e', 7, 8, 0, 0), // sees a, b, c, d
      run('x', 4, 4, 0, 0, 'other'), // another tenant's history stays apart
    ];
    const m = createFeatureBuilder({ catalog }).replay(records);
    const get = (i: number, f: string) => m[i * FEATURE_COUNT + F[f]];
    expect(Number.isNaN(get(0, 'tenant_output_ratio_recent'))).toBe(true);
    expect(get(2, 'tenant_output_ratio_recent')).toBeCloseTo(0.5);
    expect(get(2, 'tenant_spend_usd_last_day')).toBeCloseTo(2);
    expect(get(3, 'tenant_output_ratio_recent')).toBeCloseTo(0.25); // b 0.5, c 0
    expect(get(3, 'tenant_output_tokens_per_request_recent')).toBeCloseTo(25_600 / 50 / 2);
    expect(get(3, 'tenant_runs_observed')).toBe(2);
    expect(get(3, 'tenant_spend_usd_last_day')).toBeCloseTo(2);
    expect(get(4, 'tenant_output_ratio_recent')).toBeCloseTo((1 + 0.5 + 0 + 0) / 4);
    expect(get(4, 'tenant_spend_usd_last_day')).toBeCloseTo(3);
    expect(Number.isNaN(get(5, 'tenant_output_ratio_recent'))).toBe(true);
  });

  it('gives the same vectors whatever order the records arrive in', () => {
    const records = Array.from({ length: 40 }, (_, i) => run(`r${i}`, i % 17, (i % 17) + 1 + (i % 3), i * 1000, i * 10, i % 2 ? 'acme' : 'globex'));
    const a = createFeatureBuilder({ catalog }).replay(records);
    const perm = [...records.keys()].reverse();
    const b = createFeatureBuilder({ catalog }).replay(perm.map((i) => records[i]));
    const row = (m: Float32Array, i: number) => Array.from(m.subarray(i * FEATURE_COUNT, (i + 1) * FEATURE_COUNT));
    perm.forEach((src, dst) => expect(row(b, dst)).toEqual(row(a, src)));
  });

  it("keeps API output habits apart from self-hosted runs, whose output the plan sets", () => {
    const gpu = gpuRun({ run_id: 'g', launched_at: at(0), outcome: { ended_at: at(1), status: 'succeeded', gpu_seconds: 10, output_tokens: 16_384, cost_usd_micros: 5 } });
    const m = createFeatureBuilder({ catalog }).replay([gpu, run('later', 2, 3, 0, 0)]);
    expect(m[FEATURE_COUNT + F.tenant_runs_observed]).toBe(0);
    expect(Number.isNaN(m[FEATURE_COUNT + F.tenant_output_ratio_recent])).toBe(true);
    expect(m[FEATURE_COUNT + F.tenant_spend_usd_last_day]).toBeCloseTo(5e-6);
  });

  it('drops spend older than 24 hours', () => {
    const h = new TenantHistory();
    h.observe('t', 0, 0.5, 5_000_000);
    h.observe('t', 10 * 3_600_000, undefined, 1_000_000);
    expect(h.snapshot('t', 20 * 3_600_000).spendMicrosLastDay).toBe(6_000_000);
    expect(h.snapshot('t', 24 * 3_600_000 + 1).spendMicrosLastDay).toBe(1_000_000);
    expect(h.snapshot('t', 24 * 3_600_000 + 1).outputRatioRecent).toBe(0.5);
  });
});
