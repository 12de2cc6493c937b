import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../pricing/index.js';
import { AZURE_OUTPUT, AZURE_PROMPT, EFFICIENCY, fitEfficiency, generateSample, importLlmInferenceBench, readRunRecords, appendRunRecords } from '../../training/index.js';
import { python, ROOT, sharedFile, tempDir } from '../helpers/index.js';

const catalog = builtinCatalog();

function logStats(xs: number[]) {
  const ls = xs.map((x) => Math.log(Math.max(1, x)));
  const mu = ls.reduce((a, b) => a + b, 0) / ls.length;
  return { mu, sigma: Math.sqrt(ls.reduce((a, x) => a + (x - mu) ** 2, 0) / ls.length) };
}

describe('sample calibration', () => {
  it('matches the efficiency fitted on LLM-Inference-Bench now', () => {
    const res = importLlmInferenceBench(readFileSync(sharedFile('llm_inference_bench/All_results.csv'), 'utf8'), { catalog });
    const fit = fitEfficiency(res.records, catalog);
    for (const fw of ['vllm', 'tensorrt-llm', 'llama.cpp', 'deepspeed-mii', 'deepspeed']) {
      for (const k of ['a', 'b', 'c', 'sigma'] as const) expect(Math.abs(fit[fw][k] - EFFICIENCY[fw][k]), `${fw}.${k}`).toBeLessThan(0.002);
    }
  });

  it('matches the Azure trace token-length fits now', () => {
    for (const kind of ['code', 'conv'] as const) {
      const rows = readFileSync(sharedFile(`azure_llm_traces_2023/AzureLLMInferenceTrace_${kind}.csv`), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
      const p = logStats(rows.map((r) => Number(r[1]))), o = logStats(rows.map((r) => Number(r[2])));
      expect(Math.abs(p.mu - AZURE_PROMPT[kind].mu) + Math.abs(p.sigma - AZURE_PROMPT[kind].sigma)).toBeLessThan(0.002);
      expect(Math.abs(o.mu - AZURE_OUTPUT[kind].mu) + Math.abs(o.sigma - AZURE_OUTPUT[kind].sigma)).toBeLessThan(0.002);
    }
  });
});

describe('generateSample', () => {
  const sample = generateSample({ catalog, seed: 7, runs: 2000 });

  it('is deterministic for a seed and differs across seeds', () => {
    expect(generateSample({ catalog, seed: 7, runs: 2000 })).toEqual(sample);
    expect(generateSample({ catalog, seed: 8, runs: 2000 }).records[0]).not.toEqual(sample.records[0]);
  });

  it('mixes tenants, API and self-hosted runs over three weeks', () => {
    const r = sample.records;
    expect(new Set(r.map((x) => x.tenant_id)).size).toBe(6);
    const api = r.filter((x) => x.plan.kind === 'api').length;
    expect(api / r.length).toBeGreaterThan(0.4);
    expect(api / r.length).toBeLessThan(0.7);
    const span = Date.parse(r[r.length - 1].launched_at) - Date.parse(r[0].launched_at);
    expect(span / 86_400_000).toBeGreaterThan(19);
    expect(r.filter((x) => x.outcome!.status !== 'succeeded').length).toBeGreaterThan(0);
    expect(sample.telemetry).toHaveLength(r.length);
  });

  it('keeps self-hosted GPU-seconds within the spread measured on real hardware', () => {
    const ratios = sample.records.filter((x) => x.plan.kind === 'self_hosted' && x.outcome!.status === 'succeeded').map((x) => {
      const bench = importLlmInferenceBench; void bench;
      return x.outcome!.gpu_seconds!;
    });
    expect(ratios.every((s) => s > 0 && Number.isFinite(s))).toBe(true);
    const fit = fitEfficiency(sample.records.filter((x) => x.outcome!.status === 'succeeded'), catalog);
    expect(Math.abs(fit.vllm.a - EFFICIENCY.vllm.a)).toBeLessThan(0.25);
    expect(Math.abs(fit.vllm.sigma - EFFICIENCY.vllm.sigma)).toBeLessThan(0.1);
  });

  it('gives API output lengths the shape of the Azure traces', () => {
    const conv = sample.records.filter((x) => x.plan.kind === 'api' && ['acme', 'stark'].includes(x.tenant_id) && x.outcome!.status === 'succeeded');
    const perRequest = conv.map((x) => x.outcome!.output_tokens! / x.plan.requests);
    const median = perRequest.sort((a, b) => a - b)[perRequest.length >> 1];
    // The mean of n log-normal draws centres near exp(mu + sigma^2 / 2), before clipping at max output.
    const expected = Math.exp(AZURE_OUTPUT.conv.mu + AZURE_OUTPUT.conv.sigma ** 2 / 2);
    expect(median / expected).toBeGreaterThan(0.8);
    expect(median / expected).toBeLessThan(1.2);
  });

  it('lands as a Delta table that deltalake reads', async () => {
    const table = join(tempDir(), 'pcpo_runs');
    await appendRunRecords(table, sample.records.slice(0, 500));
    expect((await readRunRecords(table)).records).toEqual(sample.records.slice(0, 500));
    const theirs = JSON.parse(python(['test/delta/deltalake_ref.py', 'read', table]));
    expect(theirs.rows).toHaveLength(500);
    const first = theirs.rows.find((r: { run_id: string }) => r.run_id === sample.records[0].run_id);
    expect(first.cost_usd_micros).toBe(sample.records[0].outcome!.cost_usd_micros);
  });
});

describe('data/sample', () => {
  it('is what `lutflow sample --seed 42 --runs 3000` writes (no drift)', async () => {
    const fresh = generateSample({ catalog, seed: 42, runs: 3000 });
    const { records } = await readRunRecords(join(ROOT, 'data/sample/pcpo_runs'));
    expect(records).toEqual(fresh.records);
    const lines = readFileSync(join(ROOT, 'data/sample/telemetry.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual(fresh.telemetry);
  });
});
