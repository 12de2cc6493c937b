import { readFileSync } from 'node:fs';
import { parseCsv } from '../../lib/csv.js';

/** MLPerf v4.1 names of the accelerators the catalog knows; the rest (Jetson, H100 NVL, GH200 144 GB) are left out. */
const NAMES: Readonly<Record<string, string>> = {
  'NVIDIA H100-SXM-80GB': 'H100-SXM',
  'NVIDIA H100-PCIe-80GB': 'H100-PCIe',
  'NVIDIA H200-SXM-141GB': 'H200',
  'NVIDIA GH200 Grace Hopper Superchip 96GB': 'GH200',
  'NVIDIA L40S': 'L40S',
};

/**
 * Offline GPT-J throughput per accelerator (closed division, TensorRT-LLM), the median over submissions, relative
 * to H100-SXM: the same workload on parts LLM-Inference-Bench never ran, so a check on hardware never seen.
 */
export function mlperfGptjRatios(path: string): Map<string, { ratio: number; submissions: number }> {
  const { rows } = parseCsv(
    readFileSync(path, 'utf8'),
    ['Model', 'Scenario', 'Category', 'Accelerator', 'a#', 'Performance_Result'],
    path,
  );
  const per = new Map<string, number[]>();
  for (const { values: v } of rows) {
    const id = NAMES[v.Accelerator];
    if (!id || v.Model !== 'gptj-99' || v.Scenario !== 'Offline' || v.Category !== 'closed' || !(Number(v['a#']) > 0))
      continue;
    per.set(id, [...(per.get(id) ?? []), Number(v.Performance_Result) / Number(v['a#'])]);
  }
  const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
  const base = median(per.get('H100-SXM') ?? [NaN]);
  return new Map([...per].map(([id, xs]) => [id, { ratio: median(xs) / base, submissions: xs.length }]));
}
