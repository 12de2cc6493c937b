import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createFeatureBuilder, FEATURE_COUNT, FEATURE_INDEX as F, FEATURE_SPEC_HASH } from '../../features/index.js';
import { loadEnsemble, loadPcpoModel, ModelError, predictRun, type PcpoModel } from '../../model/index.js';
import { XGBoostCallError } from '../../model/native/library.js';
import { builtinCatalog } from '../../pricing/index.js';
import type { LaunchPlan, RunRecord } from '../../stream/index.js';
import { fitBooster, generateSample, trainPcpo, TrainingError, type TrainResult } from '../../training/index.js';
import { cli, python, sharedFile, tempDir } from '../helpers/index.js';

const catalog = builtinCatalog();
const records = generateSample({ catalog, seed: 11, runs: 2500 }).records;
let out: string;
let result: TrainResult;
let model: PcpoModel;

beforeAll(() => {
  out = join(tempDir('lutflow-train-'), 'model');
  result = trainPcpo({ records, out, catalog, source: 'sample seed 11', deltaVersion: 0, rounds: 300, folds: 3 });
  model = loadPcpoModel(out);
});

const plan = (over: Partial<LaunchPlan> = {}): RunRecord => ({
  schema_version: 1, run_id: 'p1', tenant_id: 'acme', launched_at: '2026-11-01T12:00:00Z',
  plan: { kind: 'self_hosted', model: 'llama-3-8b', gpu_type: 'H100', gpu_count: 1, framework: 'vllm', batch_size: 16, requests: 64, prompt_tokens: 512, max_output_tokens: 256, ...over } as LaunchPlan,
});

describe('trainPcpo', () => {
  it('learns from every run, measures by cross-validation, and says how it split', () => {
    const card = JSON.parse(readFileSync(join(out, 'model-card.json'), 'utf8'));
    expect(card.feature_spec.hash).toBe(FEATURE_SPEC_HASH);
    expect(card.data).toMatchObject({ source: 'sample seed 11', delta_version: 0, rows: 2500 });
    expect(card.library).toEqual({ name: 'xgboost', version: '3.2.0' });
    for (const [t, kind] of [['gpu_seconds', 'self_hosted'], ['output_tokens', 'api']] as const) {
      expect(existsSync(join(out, `${t}.json`))).toBe(true);
      const tc = card.targets[t];
      expect(tc.params.objective).toBe('reg:pseudohubererror');
      expect(tc.params.monotone_constraints).toMatch(/^\((0|1)(,(0|1)){34}\)$/);
      // No run is held back from the model a user deploys: all usable runs of the kind, none withheld.
      const usable = records.filter((r) => r.plan.kind === kind && r.outcome!.status === 'succeeded').length;
      expect(tc.rows.train).toBe(usable);
      expect(tc.cv.scheme).toMatch(/^time \(\d+ distinct launch times/);
      expect(tc.cv.folds).toBe(3);
      expect(tc.fold_best_rounds).toHaveLength(3);
      expect(tc.rounds).toBeGreaterThan(0);
    }
    expect(card.targets.gpu_seconds.baseline.physics.groups['0|1']).toHaveLength(5);
    expect(card.targets.output_tokens.baseline.prior.models.length).toBeGreaterThan(5);
    expect(existsSync(join(out, card.targets.gpu_seconds.unseen_hardware.file))).toBe(true);
    const sh = result.cv.by_kind.self_hosted!, api = result.cv.by_kind.api!;
    expect(sh.p90_coverage).toBeGreaterThan(80);
    expect(api.p90_coverage).toBeGreaterThan(80);
    // The model learns something the baselines do not.
    expect(sh.median_ape!).toBeLessThan(sh.baselines.roofline.median_ape!);
    expect(api.p90_reserve_ratio!).toBeLessThan(api.baselines.worst_case_bound.p90_reserve_ratio!);
    // Time folds walk forward: the oldest block is only ever learned from. Accelerator folds cover every run.
    expect(sh.rows).toBeCloseTo((card.targets.gpu_seconds.rows.train * 3) / 4, -1);
    expect(sh.unseen_hardware!.rows).toBe(card.targets.gpu_seconds.rows.train);
  });

  it('writes models Python xgboost loads and predicts identically (within 1e-5) on vectors with missing values', () => {
    const matrix = createFeatureBuilder({ catalog }).replay(records);
    for (const [t, kind] of [['gpu_seconds', 'self_hosted'], ['output_tokens', 'api'], ['gpu_seconds.unseen-hardware', 'self_hosted']] as const) {
      const rows = records.map((r, i) => [r, i] as const).filter(([r]) => r.plan.kind === kind).slice(0, 60).map(([, i]) => i);
      const vectors = rows.map((i) => Array.from(matrix.subarray(i * FEATURE_COUNT, (i + 1) * FEATURE_COUNT), (x) => (Number.isNaN(x) ? null : x)));
      expect(vectors.some((v) => v.includes(null))).toBe(true);
      const vpath = join(out, `${t}.vectors.json`);
      writeFileSync(vpath, JSON.stringify(vectors));
      const theirs = (JSON.parse(python(['test/model/xgboost_ref.py', 'margins', join(out, `${t}.json`), vpath])) as (number | number[])[]).map((v) => [v].flat());
      const ensemble = loadEnsemble(join(out, `${t}.json`));
      expect(ensemble.numTarget).toBe(1);
      rows.forEach((i, k) => {
        const ours = ensemble.predictMargin(matrix, new Float64Array(1), i * FEATURE_COUNT);
        expect(Math.abs(ours[0] - theirs[k][0])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(theirs[k][0])));
      });
    }
  });

  it('predicts a planned run, and answers an infeasible plan with the reason', () => {
    const builder = createFeatureBuilder({ catalog });
    const p = predictRun(model, plan(), builder, catalog);
    expect(p.feasible).toBe(true);
    if (p.feasible) {
      expect(p.quantity).toBe('gpu_seconds');
      expect(p.p90).toBeGreaterThanOrEqual(p.p50);
      expect(p.p50_usd).toBeCloseTo((p.p50 * 3.99) / 3600, 9);
    }
    expect(predictRun(model, plan({ prompt_tokens: 8000, max_output_tokens: 1000 }), builder, catalog)).toEqual({ run_id: 'p1', feasible: false, reason: 'infeasible: prompt + output = 9000 tokens exceed the context window of llama-3-8b (8192)' });
  });

  it('prices an open model the catalog lacks from its description, never refusing it', () => {
    const builder = createFeatureBuilder({ catalog });
    const arch = { params_b: 8.03, layers: 32, hidden_size: 4096, attention_heads: 32, kv_heads: 8, context_window: 8192 };
    const described = predictRun(model, plan({ model: 'acme/private-llama-8b', model_arch: arch }), builder, catalog);
    const known = predictRun(model, plan(), builder, catalog);
    expect(described.feasible && known.feasible).toBe(true);
    // The same architecture as llama-3-8b: the same physics, the same answer.
    if (described.feasible && known.feasible) expect(described.p50).toBeCloseTo(known.p50, 6);
  });

  it('answers accelerators and engines it never learned from with its hardware-blind model', () => {
    const vec = createFeatureBuilder({ catalog }).features(plan({ gpu_type: 'MI250', gpu_count: 2 }));
    const q = model.predictQuantity(vec)!;
    expect(q.unseenHardware).toBe(true);
    expect(q.p90).toBeGreaterThan(q.p50);
    expect(model.predictQuantity(createFeatureBuilder({ catalog }).features(plan()))!.unseenHardware).toBeUndefined();
  });

  it('never predicts less for more tokens or requests (monotone constraints), on seen and unseen hardware (property)', () => {
    const builder = createFeatureBuilder({ catalog });
    const gpus = ['H100', 'L4', 'A100-80GB', 'MI250', 'L40S', 'T4'], models = ['llama-3-8b', 'mistral-7b', 'qwen2-72b', 'mixtral-8x7b'];
    fc.assert(fc.property(
      fc.constantFrom(...gpus), fc.constantFrom(...models), fc.constantFrom('vllm', 'tensorrt-llm', 'llama.cpp', 'tgi'), fc.constantFrom(2, 4, 8),
      fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 1, max: 2000 }),
      fc.constantFrom('prompt_tokens', 'max_output_tokens', 'requests'), fc.integer({ min: 1, max: 3000 }),
      (gpu, m, framework, n, batch, requests, prompt, outTokens, which, more) => {
        const a = plan({ gpu_type: gpu, model: m, framework, gpu_count: n, batch_size: Math.min(batch, requests), requests, prompt_tokens: prompt, max_output_tokens: outTokens });
        const b = { ...a, plan: { ...a.plan, [which]: a.plan[which] + more } };
        const qa = model.predictQuantity(builder.features(a))!, qb = model.predictQuantity(builder.features(b))!;
        expect(qb.p50).toBeGreaterThanOrEqual(qa.p50 * (1 - 1e-6));
        expect(qb.p90).toBeGreaterThanOrEqual(qa.p90 * (1 - 1e-6));
      },
    ), { numRuns: 200 });
  });

  it('a new API tenant starts from the population prior, not the max-tokens bound, and its own history takes over', () => {
    const builder = createFeatureBuilder({ catalog });
    const api = (id: string, launched: string, output?: number): RunRecord => ({
      schema_version: 1, run_id: id, tenant_id: 'newcomer', launched_at: launched,
      plan: { kind: 'api', provider: 'openai', model: 'gpt-4o-mini', batch_size: 1, requests: 50, prompt_tokens: 800, max_output_tokens: 4096 },
      ...(output === undefined ? {} : { outcome: { ended_at: launched, status: 'succeeded' as const, input_tokens: 40_000, output_tokens: output, cost_usd_micros: 1 } }),
    });
    const first = model.predictQuantity(builder.features(api('a0', '2026-11-01T00:00:00Z')), 0, { model: 'gpt-4o-mini' })!;
    const bound = 50 * 4096;
    expect(first.p50).toBeLessThan(bound / 4);
    expect(first.p90).toBeLessThan(bound / 2);
    // A tenant that always gets 2,000 tokens a request: predictions climb towards it run by run.
    const p50s = [first.p50];
    for (let k = 1; k <= 12; k++) {
      builder.observe(api(`a${k}`, `2026-11-01T0${Math.min(9, k)}:0${k % 10}:00Z`, 100_000));
      p50s.push(model.predictQuantity(builder.features(api(`b${k}`, '2026-11-02T00:00:00Z')), 0, { model: 'gpt-4o-mini' })!.p50);
    }
    expect(p50s[12]).toBeGreaterThan(p50s[0] * 2);
    expect(Math.abs(p50s[12] - 100_000) / 100_000).toBeLessThan(0.5);
  });
});

describe('training refuses bad input clearly', () => {
  it('too few rows, leaving an existing model directory as it was', () => {
    const dir = join(tempDir(), 'model');
    mkdirSync(dir);
    writeFileSync(join(dir, 'keep'), 'old model');
    const err = (() => { try { trainPcpo({ records: records.slice(0, 40), out: dir, catalog, source: 'tiny' }); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(TrainingError);
    expect((err as TrainingError).code).toBe('TOO_FEW_ROWS');
    expect(readFileSync(join(dir, 'keep'), 'utf8')).toBe('old model');
  });

  it('a succeeded self-hosted run with zero GPU-seconds, naming the run', () => {
    const bad = records.map((r) => r);
    const i = bad.findIndex((r) => r.plan.kind === 'self_hosted' && r.outcome!.status === 'succeeded');
    bad[i] = { ...bad[i], outcome: { ...bad[i].outcome!, gpu_seconds: 0 } };
    expect(() => trainPcpo({ records: bad, out: join(tempDir(), 'm'), catalog, source: 'bad' })).toThrow(new RegExp(`run ${bad[i].run_id}: gpu_seconds is 0`));
  });

  it('NaN labels reach XGBoost as a catchable error with its message', () => {
    const x = new Float32Array(20 * 2).fill(1);
    const label = new Float32Array(20).fill(NaN);
    expect(() => fitBooster({ train: { x, rows: 20, cols: 2, label }, params: { objective: 'reg:squarederror', nthread: 1 }, rounds: 2 })).toThrow(XGBoostCallError);
    expect(() => fitBooster({ train: { x, rows: 20, cols: 2, label }, params: { objective: 'reg:squarederror', nthread: 1 }, rounds: 2 })).toThrow(/[Ll]abel/);
  });

  it('a model from another feature spec, or a truncated model file, is refused', () => {
    const foreign = join(tempDir(), 'foreign');
    mkdirSync(foreign);
    for (const f of ['gpu_seconds.json', 'output_tokens.json', 'gpu_seconds.unseen-hardware.json']) writeFileSync(join(foreign, f), readFileSync(join(out, f)));
    const card = JSON.parse(readFileSync(join(out, 'model-card.json'), 'utf8'));
    writeFileSync(join(foreign, 'model-card.json'), JSON.stringify({ ...card, feature_spec: { ...card.feature_spec, version: '1.0.0', hash: 'f'.repeat(64) } }));
    expect(() => loadPcpoModel(foreign)).toThrow(expect.objectContaining({ code: 'MODEL_FOREIGN_SPEC' }));
    writeFileSync(join(foreign, 'model-card.json'), JSON.stringify({ ...card, format_version: 1 }));
    expect(() => loadPcpoModel(foreign)).toThrow(expect.objectContaining({ code: 'MODEL_UNSUPPORTED' }));
    writeFileSync(join(foreign, 'model-card.json'), JSON.stringify(card));
    writeFileSync(join(foreign, 'gpu_seconds.unseen-hardware.json'), readFileSync(join(out, 'gpu_seconds.json'), 'utf8').slice(0, 1000));
    const err = (() => { try { loadPcpoModel(foreign); } catch (e) { return e as ModelError; } })();
    expect(err?.code).toBe('MODEL_MALFORMED');
    const renamed = JSON.parse(readFileSync(join(out, 'output_tokens.json'), 'utf8'));
    renamed.learner.feature_names[3] = 'bits';
    writeFileSync(join(foreign, 'gpu_seconds.unseen-hardware.json'), readFileSync(join(out, 'gpu_seconds.unseen-hardware.json')));
    writeFileSync(join(foreign, 'output_tokens.json'), JSON.stringify(renamed));
    expect(() => loadPcpoModel(foreign)).toThrow(/feature 3 is 'bits', the spec says 'precision_bits'/);
  });
});

describe('lutflow predict and eval', () => {
  it('predict: one JSON line per record or vector, errors per line', () => {
    const input = join(tempDir(), 'in.jsonl');
    const vec = Array.from(createFeatureBuilder({ catalog }).replay(records.slice(0, 1)), (x) => (Number.isNaN(x) ? null : x));
    writeFileSync(input, [JSON.stringify(records[0]), JSON.stringify(vec), '[1,2]', '{"run_id": 3}'].join('\n'));
    const r = cli(['predict', '--model', out, '--input', input]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ run_id: records[0].run_id, feasible: true });
    expect(lines[1].p90).toBeGreaterThanOrEqual(lines[1].p50);
    expect(lines[2]).toEqual({ line: 3, error: `expected an array of ${FEATURE_COUNT} numbers or nulls` });
    expect(lines[3].error).toMatch(/\/schema_version is required/);
    const raw = cli(['predict', '--model', join(out, 'output_tokens.json'), '--input', input]);
    expect(JSON.parse(raw.stdout.trim().split('\n')[1])).toHaveLength(1);
  });

  it('eval: the model next to the baselines (in-sample flagged), on a Delta table or a CSV imported on the fly', () => {
    const r = cli(['eval', '--model', out, '--data', 'data/sample/pcpo_runs', '--leave-out', 'none']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.model.in_sample).toBe(false);
    expect(report.by_kind.self_hosted.baselines).toHaveProperty('roofline');
    expect(report.by_kind.api.baselines).toHaveProperty('worst_case_bound');
    expect(report.by_kind.api.baselines).toHaveProperty('tenant_history_mean');
    expect(report.by_kind.self_hosted.groups.length).toBeGreaterThan(3);
    const csv = cli(['eval', '--model', out, '--data', sharedFile('azure_llm_traces_2023/AzureLLMInferenceTrace_code.csv'), '--requests-per-run', '50', '--leave-out', 'none']);
    expect(JSON.parse(csv.stdout)).toMatchObject({ imported: { runs: 123 }, by_kind: { api: { rows: 123 } } });
  });

  it('eval: leave-one-accelerator-out and leave-one-model-out list every group', () => {
    // A slice of the real study: three accelerators, four models, vLLM only, so the retraining stays quick.
    const lines = readFileSync(sharedFile('llm_inference_bench/All_results.csv'), 'utf8').trim().split('\n');
    const keep = lines.slice(1).filter((l) => /,vLLM,/.test(l) && /^(Nvidia A100|Nvidia H100|AMD MI250)/.test(l) && /(Llama-2-7b-hf|Meta-Llama-3-8B|Mistral-7B-v0\.1|Qwen2-7B),/.test(l));
    const csv = join(tempDir(), 'slice.csv');
    writeFileSync(csv, [lines[0], ...keep].join('\n'));
    const r = cli(['eval', '--data', csv, '--rounds', '80']);
    expect(r.code, r.stderr).toBe(0);
    const { leave_one_out: loo } = JSON.parse(r.stdout);
    expect(loo.accelerator.groups.map((g: { group: string }) => g.group).sort()).toEqual(['A100-40GB', 'H100-SXM', 'MI250']);
    expect(loo.model.groups.map((g: { group: string }) => g.group).sort()).toEqual(['llama-2-7b', 'llama-3-8b', 'mistral-7b', 'qwen2-7b']);
    for (const g of [...loo.accelerator.groups, ...loo.model.groups]) expect(g.rows).toBeGreaterThan(0);
    expect(loo.accelerator.groups.reduce((a: number, g: { rows: number }) => a + g.rows, 0)).toBe(keep.length);
    expect(loo.accelerator.answered_by).toBe('hardware-blind model');
  });
});

describe('feature vectors of the real study', () => {
  it('every run of LLM-Inference-Bench gets physics (no model or GPU left unresolved)', async () => {
    const { importLlmInferenceBench } = await import('../../training/index.js');
    const res = importLlmInferenceBench(readFileSync(sharedFile('llm_inference_bench/All_results.csv'), 'utf8'), { catalog });
    const m = createFeatureBuilder({ catalog }).replay(res.records);
    for (let i = 0; i < res.records.length; i++) expect(m[i * FEATURE_COUNT + F.roofline_gpu_seconds]).toBeGreaterThan(0);
  });
});
