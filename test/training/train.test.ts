import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createFeatureBuilder, FEATURE_COUNT, FEATURE_SPEC_HASH } from '../../features/index.js';
import { loadEnsemble, loadPcpoModel, ModelError, predictRun } from '../../model/index.js';
import { XGBoostCallError } from '../../model/native/library.js';
import { builtinCatalog } from '../../pricing/index.js';
import type { RunRecord } from '../../stream/index.js';
import { fitBooster, generateSample, trainPcpo, TrainingError, type TrainResult } from '../../training/index.js';
import { cli, python, tempDir } from '../helpers/index.js';

const catalog = builtinCatalog();
const records = generateSample({ catalog, seed: 11, runs: 2500 }).records;
let out: string;
let result: TrainResult;

beforeAll(() => {
  out = join(tempDir('lutflow-train-'), 'model');
  result = trainPcpo({ records, out, catalog, source: 'sample seed 11', deltaVersion: 0, rounds: 300 });
});

describe('trainPcpo', () => {
  it('writes official XGBoost JSON and a model card that says where it came from', () => {
    const card = JSON.parse(readFileSync(join(out, 'model-card.json'), 'utf8'));
    expect(card.feature_spec.hash).toBe(FEATURE_SPEC_HASH);
    expect(card.data).toMatchObject({ source: 'sample seed 11', delta_version: 0, rows: 2500, split: 'time' });
    expect(card.library).toEqual({ name: 'xgboost', version: '3.2.0' });
    for (const t of ['gpu_seconds', 'output_tokens']) {
      expect(existsSync(join(out, `${t}.json`))).toBe(true);
      expect(card.targets[t].params.objective).toBe('reg:quantileerror');
      expect(card.targets[t].best_round).toBeLessThan(card.targets[t].rounds_run);
      expect(card.targets[t].rows.test).toBeGreaterThan(50);
    }
    expect(result.test.by_kind.self_hosted!.p90_coverage).toBeGreaterThan(80);
    expect(result.test.by_kind.api!.p90_coverage).toBeGreaterThan(80);
    // The model learns something the baselines do not.
    expect(result.test.by_kind.self_hosted!.median_ape!).toBeLessThan(result.test.by_kind.self_hosted!.baselines.roofline.median_ape!);
    expect(result.test.by_kind.api!.p90_reserve_ratio!).toBeLessThan(result.test.by_kind.api!.baselines.worst_case_bound.p90_reserve_ratio!);
  });

  it('writes models Python xgboost loads and predicts identically (within 1e-5) on vectors with missing values', () => {
    const matrix = createFeatureBuilder({ catalog }).replay(records);
    for (const [t, kind] of [['gpu_seconds', 'self_hosted'], ['output_tokens', 'api']] as const) {
      const rows = records.map((r, i) => [r, i] as const).filter(([r]) => r.plan.kind === kind).slice(0, 60).map(([, i]) => i);
      const vectors = rows.map((i) => Array.from(matrix.subarray(i * FEATURE_COUNT, (i + 1) * FEATURE_COUNT), (x) => (Number.isNaN(x) ? null : x)));
      expect(vectors.some((v) => v.includes(null))).toBe(true);
      const vpath = join(out, `${t}.vectors.json`);
      writeFileSync(vpath, JSON.stringify(vectors));
      const theirs = JSON.parse(python(['test/model/xgboost_ref.py', 'margins', join(out, `${t}.json`), vpath])) as number[][];
      const ensemble = loadEnsemble(join(out, `${t}.json`));
      rows.forEach((i, k) => {
        const ours = ensemble.predictMargin(matrix, new Float64Array(2), i * FEATURE_COUNT);
        for (let q = 0; q < 2; q++) expect(Math.abs(ours[q] - theirs[k][q])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(theirs[k][q])));
      });
    }
  });

  it('predicts a planned run, and answers an infeasible plan with the reason', () => {
    const model = loadPcpoModel(out);
    const builder = createFeatureBuilder({ catalog });
    const plan: RunRecord = { schema_version: 1, run_id: 'p1', tenant_id: 'acme', launched_at: '2026-11-01T12:00:00Z', plan: { kind: 'self_hosted', model: 'llama-3-8b', gpu_type: 'H100', gpu_count: 1, framework: 'vllm', batch_size: 16, requests: 64, prompt_tokens: 512, max_output_tokens: 256 } };
    const p = predictRun(model, plan, builder, catalog);
    expect(p.feasible).toBe(true);
    if (p.feasible) {
      expect(p.quantity).toBe('gpu_seconds');
      expect(p.p90).toBeGreaterThanOrEqual(p.p50);
      expect(p.p50_usd).toBeCloseTo((p.p50 * 3.99) / 3600, 9);
    }
    const tooLong = { ...plan, plan: { ...plan.plan, prompt_tokens: 8000, max_output_tokens: 1000 } };
    expect(predictRun(model, tooLong, builder, catalog)).toEqual({ run_id: 'p1', feasible: false, reason: 'infeasible: prompt + output = 9000 tokens exceed the context window of llama-3-8b (8192)' });
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
    for (const f of ['gpu_seconds.json', 'output_tokens.json']) writeFileSync(join(foreign, f), readFileSync(join(out, f)));
    const card = JSON.parse(readFileSync(join(out, 'model-card.json'), 'utf8'));
    writeFileSync(join(foreign, 'model-card.json'), JSON.stringify({ ...card, feature_spec: { ...card.feature_spec, version: '0.9.0', hash: 'f'.repeat(64) } }));
    expect(() => loadPcpoModel(foreign)).toThrow(expect.objectContaining({ code: 'MODEL_FOREIGN_SPEC' }));
    writeFileSync(join(foreign, 'model-card.json'), JSON.stringify(card));
    writeFileSync(join(foreign, 'gpu_seconds.json'), readFileSync(join(out, 'gpu_seconds.json'), 'utf8').slice(0, 1000));
    const err = (() => { try { loadPcpoModel(foreign); } catch (e) { return e as ModelError; } })();
    expect(err?.code).toBe('MODEL_MALFORMED');
    const renamed = JSON.parse(readFileSync(join(out, 'output_tokens.json'), 'utf8'));
    renamed.learner.feature_names[3] = 'bits';
    writeFileSync(join(foreign, 'gpu_seconds.json'), readFileSync(join(out, 'gpu_seconds.json')));
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
    expect(lines[2]).toEqual({ line: 3, error: 'expected an array of 21 numbers or nulls' });
    expect(lines[3].error).toMatch(/\/schema_version is required/);
    const raw = cli(['predict', '--model', join(out, 'output_tokens.json'), '--input', input]);
    expect(JSON.parse(raw.stdout.trim().split('\n')[1])).toHaveLength(2);
  });

  it('eval: metrics next to the baselines, on a Delta table or a CSV imported on the fly', () => {
    const r = cli(['eval', '--model', out, '--data', 'data/sample/pcpo_runs']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.by_kind.self_hosted.baselines).toHaveProperty('roofline');
    expect(report.by_kind.api.baselines).toHaveProperty('worst_case_bound');
    expect(report.by_kind.api.baselines).toHaveProperty('tenant_history_mean');
    expect(report.by_kind.self_hosted.groups.length).toBeGreaterThan(3);
    const csv = cli(['eval', '--model', out, '--data', '../shared/data/azure_llm_traces_2023/AzureLLMInferenceTrace_code.csv', '--requests-per-run', '50']);
    expect(JSON.parse(csv.stdout)).toMatchObject({ imported: { runs: 123 }, by_kind: { api: { rows: 123 } } });
  });
});
