import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensembleFromJson, loadEnsemble, ModelError } from '../../model/index.js';
import { python, tempDir } from '../helpers/index.js';

const REF = 'test/model/xgboost_ref.py';
let dir: string;
let vectors: Float32Array[];

beforeAll(() => {
  dir = tempDir('lutflow-xgb-');
  python([REF, 'variants', dir]);
  vectors = (JSON.parse(readFileSync(join(dir, 'vectors.json'), 'utf8')) as (number | null)[][]).map((r) => Float32Array.from(r, (v) => (v === null ? NaN : v)));
});

describe('XGBoost JSON predictor against Python xgboost', () => {
  for (const name of ['squarederror', 'gamma', 'logistic', 'quantile', 'tweedie']) {
    it(`${name}: equal within 1e-5 on vectors with missing values`, () => {
      const model = loadEnsemble(join(dir, `${name}.json`));
      const expected = JSON.parse(readFileSync(join(dir, `${name}.expected.json`), 'utf8')) as (number | number[])[];
      expect(vectors[0].every(Number.isNaN)).toBe(true);
      vectors.forEach((v, i) => {
        const ours = Array.from(model.predict(v));
        const theirs = Array.isArray(expected[i]) ? (expected[i] as number[]) : [expected[i] as number];
        expect(ours.length).toBe(theirs.length);
        ours.forEach((o, t) => expect(Math.abs(o - theirs[t]), `${name} row ${i} output ${t}: ${o} vs ${theirs[t]}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(theirs[t]))));
      });
    });
  }

  it('reads the multi-target quantile model as two outputs with their alphas', () => {
    const m = loadEnsemble(join(dir, 'quantile.json'));
    expect(m.numTarget).toBe(2);
    expect(m.quantileAlpha).toEqual([0.5, 0.9]);
  });

  it('reads the scalar base_score and version of XGBoost 1.7 files', () => {
    const json = JSON.parse(readFileSync(join(dir, 'squarederror.json'), 'utf8'));
    const modern = loadEnsemble(join(dir, 'squarederror.json'));
    json.version = [1, 7, 6];
    json.learner.learner_model_param.base_score = json.learner.learner_model_param.base_score.replace(/^\[|\]$/g, '');
    const old = ensembleFromJson(JSON.stringify(json), 'v1.7');
    expect(Array.from(old.predict(vectors[3]))).toEqual(Array.from(modern.predict(vectors[3])));
  });

  it('refuses categorical splits, dart, truncated files and broken trees, naming what is wrong', () => {
    expect(() => loadEnsemble(join(dir, 'categorical.json'))).toThrow(/categorical splits/);
    expect(() => loadEnsemble(join(dir, 'dart.json'))).toThrow(/booster 'dart' is not supported/);
    const text = readFileSync(join(dir, 'gamma.json'), 'utf8');
    const truncated = join(dir, 'truncated.json');
    writeFileSync(truncated, text.slice(0, text.length / 2));
    const err = (() => { try { loadEnsemble(truncated); } catch (e) { return e as ModelError; } })();
    expect(err).toBeInstanceOf(ModelError);
    expect(err!.code).toBe('MODEL_MALFORMED');
    expect(err!.message).toMatch(/truncated\.json: not valid JSON/);
    const json = JSON.parse(text);
    json.learner.gradient_booster.model.trees[2].split_indices[0] = 99;
    expect(() => ensembleFromJson(JSON.stringify(json), 'bad')).toThrow(/trees\[2\]\.split_indices\[0\]: feature 99 is outside 0\.\.20/);
    json.version = [1, 5, 0];
    expect(() => ensembleFromJson(JSON.stringify(json), 'old')).toThrow(/XGBoost 1\.5\.0; 1\.7 or newer/);
    expect(() => ensembleFromJson('{"learner": {}}', 'empty')).toThrow(ModelError);
  });

  it('batch prediction equals row-by-row prediction', () => {
    const m = loadEnsemble(join(dir, 'quantile.json'));
    const flat = new Float32Array(vectors.length * 21);
    vectors.forEach((v, i) => flat.set(v, i * 21));
    const batch = m.predictBatch(flat, vectors.length);
    vectors.forEach((v, i) => expect(Array.from(batch.subarray(i * 2, i * 2 + 2))).toEqual(Array.from(m.predict(v))));
    expect(() => m.predict(new Float32Array(3))).toThrow(/expected 21 features/);
  });
});
