import { describe, expect, it } from 'vitest';
import { FEATURE_COUNT, FEATURE_INDEX as F } from '../../features/index.js';
import { calibratedGpuSeconds, ensembleFromJson, expectedOutputTokens, paramsFor, type EfficiencyParams, type PhysicsCalibration, type PhysicsRow } from '../../model/index.js';
import type { RunRecord } from '../../stream/index.js';
import { chooseScheme, fitBooster, fitOutputPrior, leaveOneOut, makeFolds } from '../../training/index.js';
import { fitEfficiency } from '../../training/pcpo/physics-fit.js';
import { enforceMonotone } from '../../training/xgboost/monotone.js';

/** A deterministic uniform stream, so the tests do not depend on Math.random. */
function stream(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('monotone leaves', () => {
  it('puts back the constraint a quantile objective breaks, and the JSON still loads', () => {
    // y falls with x0 at small x0, rises after: a constrained fit must not fall anywhere.
    const rand = stream(1), rows = 600;
    const x = new Float32Array(rows * 2), y = new Float32Array(rows);
    for (let i = 0; i < rows; i++) {
      x[i * 2] = rand() * 10; x[i * 2 + 1] = rand();
      y[i] = (x[i * 2] - 3) ** 2 / 10 + x[i * 2 + 1] + (rand() - 0.5);
    }
    const fit = fitBooster({ train: { x, y, rows, cols: 2, label: y }, params: { objective: 'reg:quantileerror', quantile_alpha: '[0.5]', max_depth: 4, monotone_constraints: '(1,0)', nthread: 1 }, rounds: 40 });
    const { json, adjusted } = enforceMonotone(fit.modelJson, new Set([0]));
    const model = ensembleFromJson(json, 'm.json');
    const grid = Array.from({ length: 200 }, (_, k) => model.predict([k / 20, 0.5])[0]);
    for (let k = 1; k < grid.length; k++) expect(grid[k]).toBeGreaterThanOrEqual(grid[k - 1]);
    expect(adjusted).toBeGreaterThan(0);
    // Objectives that do not refresh leaves keep XGBoost's own constraints: nothing to move, the JSON left as it was.
    const huber = fitBooster({ train: { x, y, rows, cols: 2, label: y }, params: { objective: 'reg:pseudohubererror', max_depth: 4, monotone_constraints: '(1,0)', nthread: 1 }, rounds: 40 });
    expect(enforceMonotone(huber.modelJson, new Set([0]))).toEqual({ json: huber.modelJson, adjusted: 0 });
  });
});

describe('engine efficiency fit', () => {
  it('recovers the efficiencies that generated the timings, despite a few absurd ones', () => {
    const truth: EfficiencyParams = [Math.log(0.6), Math.log(0.4), Math.log(40), Math.log(0.5), Math.log(2)];
    const rand = stream(7);
    const terms: PhysicsRow[] = [], logY: number[] = [];
    for (let i = 0; i < 800; i++) {
      const t: PhysicsRow = { gpus: 1 + Math.floor(rand() * 8), prefillCompute: rand() * 50, prefillMemory: rand() * 5, decodeMemory: rand() * 200, decodeCompute: rand() * 60, layerStepsK: rand() * 2000, interconnect: rand() * 20 };
      terms.push(t);
      logY.push(Math.log(calibratedGpuSeconds(t, truth)) + (i % 50 === 0 ? -4 : (rand() - 0.5) * 0.05));
    }
    const fitted = fitEfficiency(terms, logY, [0, 0, 0, 0, 0], 0.01);
    // The fixed cost per run is a sliver of each run here, so it is known only roughly.
    fitted.forEach((p, k) => expect(Math.abs(p - truth[k]), `parameter ${k}: ${fitted.map((v) => Math.exp(v).toPrecision(3))}`).toBeLessThan(k === 3 ? 0.5 : 0.1));
  });
});

describe('efficiency for an accelerator never seen', () => {
  it('comes from the closest part of the same vendor that ran the engine, on as many devices when it can', () => {
    const p = (x: number): EfficiencyParams => [x, x, x, x, x];
    const f32 = Math.fround;
    const c: PhysicsCalibration = {
      global: p(0),
      accelerators: [{ vendor: 0, bandwidth_tbps: f32(1.555), tflops: 312 }, { vendor: 0, bandwidth_tbps: f32(3.35), tflops: 989 }, { vendor: 1, bandwidth_tbps: f32(5.3), tflops: 1307 }],
      groups: { [`${f32(1.555)}|312|1`]: p(1), [`${f32(3.35)}|989|1`]: p(2), [`${f32(3.35)}|989|1|4`]: p(3), [`${f32(5.3)}|1307|1`]: p(4), '0|1': p(5), '*|1': p(6) },
    };
    const vec = (vendor: number, bw: number, tf: number, gpus: number, fw = 1) => {
      const v = new Float32Array(FEATURE_COUNT).fill(NaN);
      Object.assign(v, { [F.gpu_vendor_code]: vendor, [F.gpu_memory_bandwidth_tbps]: bw, [F.gpu_bf16_tflops]: tf, [F.gpu_count]: gpus, [F.framework_code]: fw });
      return v;
    };
    expect(paramsFor(c, vec(0, 4.0, 989, 1))).toEqual(p(2)); // a GH200 takes the H100's
    expect(paramsFor(c, vec(0, 4.0, 989, 4))).toEqual(p(3)); // on four devices, the H100's on four
    expect(paramsFor(c, vec(0, 0.864, 362, 1))).toEqual(p(1)); // an L40S is closer to the A100
    expect(paramsFor(c, vec(1, 3.277, 362, 1))).toEqual(p(4)); // an MI250 takes the MI300X's, never an NVIDIA part's
    expect(paramsFor(c, vec(2, 2.45, 432, 1))).toEqual(p(6)); // no part of its vendor: the engine's
    expect(paramsFor(c, vec(0, 4.0, 989, 1, 5))).toEqual(p(0)); // an engine nobody ran: everyone's
  });
});

const run = (i: number, launched: string, over: Partial<RunRecord['plan']> = {}, tenant = 't'): RunRecord => ({
  schema_version: 1, run_id: `r${i}`, tenant_id: tenant, launched_at: launched,
  plan: { kind: 'self_hosted', model: `m${i % 3}`, gpu_type: `g${i % 2}`, gpu_count: 1, framework: 'vllm', batch_size: 1, requests: 1, prompt_tokens: 10, max_output_tokens: 10, ...over },
});

describe('cross-validation splits', () => {
  it('walk forward in time when runs have times, and hold out whole configurations when they do not', () => {
    const timed = Array.from({ length: 60 }, (_, i) => run(i, new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString()));
    const rows = timed.map((_, i) => i);
    const time = chooseScheme(timed, rows, 'auto', 5);
    expect(time.mode).toBe('time');
    for (const f of makeFolds(timed, rows, time, 5)) {
      const lastTrain = Math.max(...f.train.map((i) => Date.parse(timed[i].launched_at)));
      expect(f.test.every((i) => Date.parse(timed[i].launched_at) > lastTrain)).toBe(true);
    }
    const study = timed.map((r) => ({ ...r, launched_at: '2024-06-01T00:00:00Z' }));
    const group = chooseScheme(study, rows, 'auto', 5);
    expect(group).toMatchObject({ mode: 'group', reason: expect.stringMatching(/no usable launch times: 60 runs share 1 launch instant/) });
    const folds = makeFolds(study, rows, group, 3);
    expect(folds.flatMap((f) => f.test).sort((a, b) => a - b)).toEqual(rows);
    for (const f of folds) {
      const held = new Set(f.test.map((i) => `${study[i].plan.gpu_type}|${study[i].plan.model}`));
      expect(f.train.some((i) => held.has(`${study[i].plan.gpu_type}|${study[i].plan.model}`))).toBe(false);
    }
    expect(leaveOneOut(study, rows, (r) => r.plan.gpu_type!).map((f) => f.group)).toEqual(['g0', 'g1']);
  });
});

describe('API output prior', () => {
  it('learns per model and prompt length, and lets a tenant\'s own history take over', () => {
    const records: RunRecord[] = [], rows: number[] = [];
    const label = new Float64Array(200);
    const matrix = new Float32Array(200 * FEATURE_COUNT).fill(NaN);
    for (let i = 0; i < 200; i++) {
      const long = i % 2 === 0;
      records.push({ ...run(i, '2026-01-01T00:00:00Z'), plan: { kind: 'api', model: i % 4 < 2 ? 'a' : 'b', batch_size: 1, requests: 10, prompt_tokens: long ? 4000 : 200, max_output_tokens: 5000 } });
      label[i] = 10 * (long ? 100 : 300) * (i % 4 < 2 ? 1 : 2);
      matrix[i * FEATURE_COUNT + F.requests] = 10;
      matrix[i * FEATURE_COUNT + F.max_output_tokens] = 5000;
      matrix[i * FEATURE_COUNT + F.prompt_tokens] = records[i].plan.prompt_tokens;
      matrix[i * FEATURE_COUNT + F.tenant_runs_observed] = 0;
      rows.push(i);
    }
    const prior = fitOutputPrior(records, matrix, rows, label);
    const vec = new Float32Array(FEATURE_COUNT).fill(NaN);
    vec[F.requests] = 10; vec[F.max_output_tokens] = 5000; vec[F.prompt_tokens] = 200; vec[F.tenant_runs_observed] = 0;
    // Model b, short prompts: 600 a request in every training run (shrunk a little towards the model's mean).
    expect(expectedOutputTokens(prior, vec, 0, 'b') / 10).toBeGreaterThan(500);
    expect(expectedOutputTokens(prior, vec, 0, 'b') / 10).toBeLessThan(600);
    vec[F.prompt_tokens] = 4000;
    expect(expectedOutputTokens(prior, vec, 0, 'a') / 10).toBeLessThan(150);
    // A tenant that always gets 3,000 a request: 20 runs of history outweigh the prior.
    vec[F.tenant_runs_observed] = 20; vec[F.tenant_output_tokens_per_request_recent] = 3000;
    expect(expectedOutputTokens(prior, vec, 0, 'a') / 10).toBeGreaterThan(2000);
    // Never above requests x max output tokens.
    vec[F.max_output_tokens] = 50;
    expect(expectedOutputTokens(prior, vec, 0, 'a')).toBeLessThanOrEqual(500);
  });
});
