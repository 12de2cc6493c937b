import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createFeatureBuilder, FEATURE_COUNT } from '../../features/index.js';
import { builtinCatalog } from '../../pricing/index.js';
import { fitBooster, generateSample } from '../../training/index.js';

/**
 * Training time through Lutflow's C API driver against Python xgboost with the same parameters and
 * data, in one script: the Python side trains in a child process and times only `xgb.train`.
 */
export function run(): void {
  const catalog = builtinCatalog();
  const { records } = generateSample({ catalog, seed: 9, runs: 20_000 });
  const x = createFeatureBuilder({ catalog }).replay(records);
  const y = Float32Array.from(records, (r) => Math.log1p(r.outcome!.cost_usd_micros));
  const params = { objective: 'reg:squarederror', tree_method: 'hist', max_depth: 6, eta: 0.1, nthread: 2, seed: 0 };
  const rounds = 200;
  const dir = `/tmp/lutflow-bench-train-${process.pid}`;
  execFileSync('mkdir', ['-p', dir]);
  writeFileSync(join(dir, 'x.f32'), new Uint8Array(x.buffer));
  writeFileSync(join(dir, 'y.f32'), new Uint8Array(y.buffer));
  writeFileSync(join(dir, 'spec.json'), JSON.stringify({ x: join(dir, 'x.f32'), y: join(dir, 'y.f32'), rows: records.length, cols: FEATURE_COUNT, params, rounds }));
  const py = resolve('.venv/bin/python');
  const runs: { ts: number; py: number }[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    fitBooster({ train: { x, rows: records.length, cols: FEATURE_COUNT, label: y }, params, rounds });
    const ts = (performance.now() - t0) / 1000;
    const pyOut = JSON.parse(execFileSync(py, ['test/model/xgboost_ref.py', 'train', join(dir, 'spec.json')], { encoding: 'utf8' })) as { seconds: number };
    runs.push({ ts, py: pyOut.seconds });
  }
  const best = (k: 'ts' | 'py') => Math.min(...runs.map((r) => r[k]));
  console.log(`\n## training: ${records.length.toLocaleString('en-US')} rows x ${FEATURE_COUNT}, ${rounds} rounds, hist, depth 6, 2 threads (best of 3)`);
  console.log('| trainer | seconds | vs Python xgboost |');
  console.log('|---|---:|---:|');
  console.log(`| Python xgboost (xgb.train) | ${best('py').toFixed(3)} | 1.000 |`);
  console.log(`| lutflow fitBooster (C API via koffi, eval each round) | ${best('ts').toFixed(3)} | ${(best('ts') / best('py')).toFixed(3)} |`);
}
