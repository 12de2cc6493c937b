import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildFeatures, createFeatureBuilder, FEATURE_COUNT, FEATURE_INDEX as F, FEATURE_SPEC_HASH, FEATURES, featureSpec, resolveContext, rooflineGpuSeconds, TenantHistory } from '../../features/index.js';
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
  it('has exactly 21 features, each with unit, source and missing-value rule', () => {
    expect(FEATURE_COUNT).toBe(21);
    expect(new Set(FEATURES.map((f) => f.name)).size).toBe(21);
    for (const f of FEATURES) expect(f.unit && f.source && f.missing && f.description).toBeTruthy();
  });

  it('hashes its canonical content', () => {
    const spec = featureSpec();
    expect(spec.hash).toBe(createHash('sha256').update(JSON.stringify({ version: spec.version, features: spec.features })).digest('hex'));
    expect(FEATURE_SPEC_HASH).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('buildFeatures', () => {
  it('turns a self-hosted plan into catalog facts, prices and a roofline', () => {
    const r = gpuRun();
    const v = buildFeatures(r, resolveContext(r, catalog));
    expect(v).toBeInstanceOf(Float32Array);
    expect(v.length).toBe(21);
    expect(v[F.provider_kind]).toBe(1);
    expect(v[F.model_total_params_b]).toBeCloseTo(70.55, 4);
    expect(v[F.precision_bits]).toBe(16);
    expect(v[F.framework_code]).toBe(1);
    expect(v[F.gpu_count]).toBe(4);
    expect(v[F.gpu_memory_bandwidth_tbps]).toBeCloseTo(3.35, 5);
    expect(v[F.gpu_usd_per_hour]).toBeCloseTo(3.99, 5);
    expect(Number.isNaN(v[F.input_usd_per_mtok])).toBe(true);
    expect(Number.isNaN(v[F.worst_case_cost_usd])).toBe(true);
    expect(v[F.hour_of_day_utc]).toBe(13);
    // 4 batches; decode of 256 steps dominated by reading 141 GB of weights over 4 x 3.35 TB/s.
    const weightRead = (70.55e9 * 2) / (4 * 3350e9);
    expect(v[F.roofline_gpu_seconds]).toBeGreaterThan(4 * 256 * weightRead * 4);
    expect(v[F.roofline_gpu_seconds]).toBeCloseTo(rooflineGpuSeconds({ model: catalog.models.get('llama-3-70b'), gpu: catalog.gpus.get('H100-SXM'), gpuCount: 4, precisionBits: 16, batchSize: 16, requests: 64, promptTokens: 512, outputTokens: 256 }), 2);
  });

  it('marks GPU facts missing for API runs and computes the worst-case token bound', () => {
    const r = apiRun();
    const v = buildFeatures(r, resolveContext(r, catalog));
    expect(v[F.provider_kind]).toBe(0);
    for (const k of ['gpu_count', 'gpu_memory_gb', 'gpu_bf16_tflops', 'gpu_usd_per_hour', 'roofline_gpu_seconds', 'model_total_params_b']) expect(Number.isNaN(v[F[k]]), k).toBe(true);
    expect(v[F.worst_case_cost_usd]).toBeCloseTo((50 * (1000 * 2.5 + 1024 * 10)) / 1e6, 5);
    expect(Number.isNaN(v[F.tenant_output_ratio_recent])).toBe(true);
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
    perm.forEach((src, dst) => expect(Array.from(b.subarray(dst * 21, dst * 21 + 21))).toEqual(Array.from(a.subarray(src * 21, src * 21 + 21))));
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
