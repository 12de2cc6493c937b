import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinCatalog } from '../../pricing/index.js';
import { importAzureTrace, importLlmInferenceBench, trainPcpo, type CvReport, type SplitMode } from '../../training/index.js';
import type { RunRecord } from '../../stream/index.js';

const DATA = '../shared/data';

/**
 * PCPO accuracy on held-out real runs, next to the baselines on the same rows:
 * LLM-Inference-Bench with whole configurations held out (four split seeds) and with one accelerator
 * held out entirely; the Azure traces (50 requests a run) split by time.
 */
export function run(): void {
  const catalog = builtinCatalog();
  const bench = importLlmInferenceBench(readFileSync(join(DATA, 'llm_inference_bench/All_results.csv'), 'utf8'), { catalog }).records;
  const azure = (kind: string) => importAzureTrace(readFileSync(join(DATA, `azure_llm_traces_2023/AzureLLMInferenceTrace_${kind}.csv`), 'utf8'), { catalog, model: 'gpt-4o-mini', requestsPerRun: 50 }).records;
  const cases: { name: string; records: RunRecord[]; split: SplitMode; seed?: number; holdoutGpu?: string }[] = [
    ...[0, 1, 2, 3].map((seed) => ({ name: `LLM-Inference-Bench, configurations held out (seed ${seed})`, records: bench, split: 'group' as const, seed })),
    { name: 'LLM-Inference-Bench, MI300X never seen', records: bench, split: 'group', holdoutGpu: 'MI300X' },
    { name: 'LLM-Inference-Bench, H100-SXM never seen', records: bench, split: 'group', holdoutGpu: 'H100-SXM' },
    { name: 'Azure conversation trace, by time', records: azure('conv'), split: 'time' },
    { name: 'Azure code trace, by time', records: azure('code'), split: 'time' },
  ];
  console.log('\n## PCPO accuracy on held-out runs');
  console.log('| data and split | kind | test runs | median APE % | MAPE % | P90 coverage % | P90 / actual | worst GPU x engine (median APE %) | baseline median APE % | baseline MAPE % | baseline reserve |');
  console.log('|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|');
  for (const c of cases) {
    const t0 = performance.now();
    const res = trainPcpo({ records: c.records, out: join(tmpdir(), `lutflow-accuracy-${process.pid}`), catalog, source: c.name, split: c.split, seed: c.seed, holdoutGpu: c.holdoutGpu });
    for (const [kind, r] of Object.entries(res.cv.by_kind) as [string, CvReport][]) {
      const [baseName, base] = Object.entries(r.baselines)[0];
      const worst = undefined as { group: string; median_ape: number } | undefined;
      console.log(`| ${c.name} | ${kind} | ${r.rows} | ${r.median_ape} | ${r.mape} | ${r.p90_coverage} | ${r.p90_reserve_ratio} | ${worst ? `${worst.group} (${worst.median_ape})` : '-'} | ${baseName}: ${base.median_ape} | ${base.mape} | ${base.p90_reserve_ratio ?? '-'} |`);
    }
    console.error(`  ${c.name}: trained and scored in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
}
