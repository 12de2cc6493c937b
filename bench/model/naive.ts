import type { Catalog } from '../../pricing/index.js';
import type { RunRecord } from '../../stream/index.js';
import { fitBooster } from '../../training/index.js';
import { ensembleFromJson } from '../../model/index.js';
import { score, type Scored } from './score.js';

/** The plan and datasheet as numbers, nothing derived: what a first attempt would feed XGBoost. */
function naiveFeatures(r: RunRecord, catalog: Catalog): number[] {
  const p = r.plan,
    m = catalog.models.get(p.model),
    g = catalog.gpus.get(p.gpu_type!);
  return [
    m.totalParamsB,
    m.activeParamsB,
    p.gpu_count!,
    p.batch_size,
    p.requests,
    p.prompt_tokens,
    p.max_output_tokens,
    g.memoryGb,
    g.memoryBandwidthGbps,
    g.bf16Tflops,
    ['vllm', 'tensorrt-llm', 'llama.cpp', 'deepspeed-mii', 'deepspeed', 'sambaflow'].indexOf(p.framework!),
  ];
}

/** A plain quantile XGBoost (P50, P90) on ln GPU-seconds from naive features: the reference the issue measured. */
export function naiveReference(train: readonly RunRecord[], test: readonly RunRecord[], catalog: Catalog): Scored {
  const cols = naiveFeatures(train[0], catalog).length;
  const matrix = (rs: readonly RunRecord[]) => Float32Array.from(rs.flatMap((r) => naiveFeatures(r, catalog)));
  const fit = fitBooster({
    train: {
      x: matrix(train),
      rows: train.length,
      cols,
      label: Float32Array.from(train, (r) => Math.log(r.outcome!.gpu_seconds!)),
    },
    params: {
      objective: 'reg:quantileerror',
      quantile_alpha: '[0.5,0.9]',
      tree_method: 'hist',
      max_depth: 6,
      eta: 0.05,
      nthread: 2,
      seed: 0,
    },
    rounds: 400,
  });
  const model = ensembleFromJson(fit.modelJson, 'naive.json');
  const x = matrix(test);
  const lines = test.map((r, i) => {
    const [q50, q90] = model.predict(x.subarray(i * cols, (i + 1) * cols));
    return { run_id: r.run_id, feasible: true, p50: Math.exp(q50), p90: Math.exp(q90) };
  });
  return score(lines, new Map(test.map((r) => [r.run_id, r.outcome!.gpu_seconds!] as const)));
}
