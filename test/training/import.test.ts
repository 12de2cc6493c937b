import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinCatalog, gpuTimeCostMicros } from '../../pricing/index.js';
import { validate } from '../../stream/index.js';
import { appendRunRecords, importAzureTrace, importLlmInferenceBench, loadAllRuns, readRunRecords, summarise } from '../../training/index.js';
import { sharedFile, tempDir } from '../helpers/index.js';

const catalog = builtinCatalog();
const benchCsv = () => readFileSync(sharedFile('llm_inference_bench/All_results.csv'), 'utf8');
const azureCsv = (kind: 'code' | 'conv') => readFileSync(sharedFile(`azure_llm_traces_2023/AzureLLMInferenceTrace_${kind}.csv`), 'utf8');

describe('import llm-inference-bench', () => {
  it('takes every row of the real table as a valid self-hosted run with GPU-seconds = Latency x Num of Hardware', () => {
    const res = importLlmInferenceBench(benchCsv(), { catalog });
    expect(res.rowsTaken + res.rejected.length).toBe(3922);
    expect(res.rejected).toEqual([]);
    for (const r of res.records) expect(validate('lut.pcpo-features', r).ok).toBe(true);
    const first = res.records[0];
    expect(first.plan).toMatchObject({ kind: 'self_hosted', model: 'llama-2-7b', gpu_type: 'A100-40GB', gpu_count: 2, framework: 'deepspeed-mii', batch_size: 1, prompt_tokens: 128, max_output_tokens: 128 });
    expect(first.outcome!.gpu_seconds).toBeCloseTo(1.692626953125 * 2, 9);
    expect(first.outcome!.cost_usd_micros).toBe(gpuTimeCostMicros(Math.round(1.692626953125 * 2000), catalog.gpuPrices.quote('A100-40GB').microsPerGpuHour));
    expect(new Set(res.records.map((r) => r.plan.gpu_type))).toEqual(new Set(['A100-40GB', 'H100-SXM', 'MI250', 'MI300X', 'Max1550-Stack', 'Max1550', 'Gaudi2', 'SN40L']));
  });

  it("takes the study's side tables: prefill-only runs, weights at fp8 or int8 (quotes lost or not), and says why it skips the rest", () => {
    const ttft = importLlmInferenceBench(readFileSync(sharedFile('llm_inference_bench/Fig_21__all_results_TTFT.csv'), 'utf8'), { catalog });
    expect(ttft.rejected).toEqual([]);
    expect(ttft.records[0].plan).toMatchObject({ prompt_tokens: 1024, max_output_tokens: 1, batch_size: 16 });
    const quant = importLlmInferenceBench(readFileSync(sharedFile('llm_inference_bench/Fig_3__qaunt_results__quant_all_results.csv'), 'utf8'), { catalog });
    const fp8 = quant.records.filter((r) => r.plan.precision === 'fp8');
    expect(fp8).toHaveLength(20); // the 20 rows whose "Weight = fp8, KV Cache = fp8" lost its quotes
    expect(fp8.find((r) => r.plan.prompt_tokens === 1024 && r.plan.batch_size === 16)!.outcome!.gpu_seconds).toBeCloseTo(8.905026635853574, 9);
    expect(quant.records.filter((r) => r.plan.precision === 'int8').length).toBeGreaterThan(0);
    expect(quant.rejected.every((r) => /weights and KV cache at different precisions/.test(r.reason))).toBe(true);
    const tp = importLlmInferenceBench(readFileSync(sharedFile('llm_inference_bench/Fig_5_a__TP_PP_Results.csv'), 'utf8'), { catalog });
    expect(summarise(tp).rejections[0].reason).toMatch(/Parallelism Type 'Pipeline Parallelism': plans run tensor parallel/);
    const kv = importLlmInferenceBench(readFileSync(sharedFile('llm_inference_bench/Fig_2_a__All_results.csv'), 'utf8'), { catalog });
    expect(kv.rejected.every((r) => /KV Cache 'Without KV Cache'/.test(r.reason))).toBe(true);
    expect(kv.records.length).toBeGreaterThan(0);
  });

  it('loads several tables as one training set, and refuses the same runs twice', async () => {
    const main = sharedFile('llm_inference_bench/All_results.csv'), ttft = sharedFile('llm_inference_bench/Fig_21__all_results_TTFT.csv');
    const both = await loadAllRuns([main, ttft], { catalog });
    expect(both.records).toHaveLength(3942);
    expect(both.source).toBe(`${main} + ${ttft}`);
    await expect(loadAllRuns([ttft, ttft], { catalog })).rejects.toThrow(/appears twice .* give each table once/);
  });

  it('rejects bad and infeasible rows, each with its line and reason', () => {
    const csv = [
      'Hardware,Num of Hardware,Framework,Model,Input Output Length,Batch Size,Latency,Throughput',
      'Nvidia A100 GPU,1,vLLM,meta-llama/Llama-2-7b-hf,128,1,1.5,1',
      'Nvidia A100 GPU,x,vLLM,meta-llama/Llama-2-7b-hf,128,1,1.5,1',
      'Nvidia Z100 GPU,1,vLLM,meta-llama/Llama-2-7b-hf,128,1,1.5,1',
      'Nvidia A100 GPU,1,vLLM,meta-llama/Llama-2-7b-hf,4096,1,1.5,1',
      'Nvidia A100 GPU,1,vLLM,meta-llama/Llama-9-7b-hf,128,1,1.5,1',
      'Nvidia A100 GPU,1,vLLM,meta-llama/Llama-2-7b-hf,128,1,-2,1',
    ].join('\n');
    const res = importLlmInferenceBench(csv, { catalog });
    expect(res.rowsTaken).toBe(1);
    expect(res.rejected.map((r) => r.line)).toEqual([3, 4, 5, 6, 7]);
    expect(res.rejected[0].reason).toMatch(/Num of Hardware 'x'/);
    expect(res.rejected[1].reason).toMatch(/unknown Hardware 'Nvidia Z100 GPU'; closest known/);
    expect(res.rejected[2].reason).toMatch(/infeasible: prompt \+ output = 8192 tokens exceed the context window of llama-2-7b \(4096\)/);
    expect(res.rejected[3].reason).toMatch(/unknown Model/);
    expect(res.rejected[4].reason).toMatch(/Latency '-2'/);
    expect(summarise(res).rows_rejected).toBe(5);
    expect(() => importLlmInferenceBench('Hardware,Model\nx,y', { catalog })).toThrow(/missing column\(s\) Num of Hardware/);
  });
});

describe('import azure-trace', () => {
  it('groups N requests into one priced API run', () => {
    const res = importAzureTrace(azureCsv('conv'), { catalog, model: 'gpt-4o-mini', requestsPerRun: 50 });
    expect(res.rowsTaken + res.rejected.length).toBe(13_556);
    expect(res.records.length).toBe(Math.floor(13_556 / 50));
    expect(res.rejected.every((r) => r.reason.startsWith('trailing request'))).toBe(true);
    const r = res.records[0];
    expect(r.plan).toMatchObject({ kind: 'api', provider: 'openai', model: 'gpt-4o-mini', requests: 50, max_output_tokens: 16_384 });
    const lines = azureCsv('conv').trim().split('\n').slice(1, 51).map((l) => l.split(','));
    const input = lines.reduce((a, l) => a + Number(l[1]), 0), output = lines.reduce((a, l) => a + Number(l[2]), 0);
    expect(r.outcome).toMatchObject({ input_tokens: input, output_tokens: output, cost_usd_micros: Math.round(input * 0.15) + Math.round(output * 0.6) });
    expect(r.launched_at).toBe('2023-11-16T18:15:46.680Z');
  });

  it('rejects requests that do not fit the model or are malformed', () => {
    const csv = 'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:00:00.1,100,10\n2023-11-16 18:00:01,9000,10\n2023-11-16 18:00:02,abc,10\nnot-a-time,1,1\n2023-11-16 18:00:03,100,5000\n2023-11-16 18:00:04,300000,10\n2023-11-16 18:00:05,100,10\n';
    const res = importAzureTrace(csv, { catalog, model: 'claude-3-haiku', requestsPerRun: 2, maxOutputTokens: 4096 });
    expect(res.records).toHaveLength(1);
    expect(res.rejected.map((r) => r.line)).toEqual([4, 5, 6, 7, 8]);
    expect(res.rejected[0].reason).toMatch(/ContextTokens 'abc'/);
    expect(res.rejected[1].reason).toMatch(/TIMESTAMP 'not-a-time'/);
    expect(res.rejected[2].reason).toMatch(/GeneratedTokens 5000 exceed max output tokens 4096/);
    expect(res.rejected[3].reason).toMatch(/infeasible: 300000 \+ 10 tokens exceed the context window of claude-3-haiku \(200000\)/);
    expect(res.rejected[4].reason).toMatch(/trailing request/);
    const small = importAzureTrace(csv, { catalog, model: 'gpt-4o', requestsPerRun: 1, maxOutputTokens: 16_384 });
    expect(small.rejected.find((r) => r.line === 6)).toBeUndefined();
    expect(small.records).toHaveLength(4);
    expect(() => importAzureTrace(csv, { catalog, model: 'gpt-9', requestsPerRun: 2 })).toThrow(/unknown token-priced model 'gpt-9' in --model/);
  });

  it('round-trips imported runs through the Delta table', async () => {
    const res = importAzureTrace(azureCsv('code'), { catalog, model: 'claude-haiku-4-5', requestsPerRun: 50 });
    const table = join(tempDir(), 'runs');
    await appendRunRecords(table, res.records);
    const back = await readRunRecords(table);
    expect(back.records).toEqual(res.records);
  });
});
