import { buildFeatures, createFeatureBuilder, FEATURE_COUNT, resolveContext } from '../../features/index.js';
import { builtinCatalog } from '../../pricing/index.js';
import { generateSample } from '../../training/index.js';
import { measure, report } from '../runner.js';

/**
 * Feature-builder throughput on one core, over the sample's mix of API and self-hosted runs.
 * Baseline, same process: copying 21 plan numbers into a Float32Array with no lookups, no physics
 * (the floor any builder pays to touch a record and write a vector).
 */
export function run(): void {
  const catalog = builtinCatalog();
  const { records } = generateSample({ catalog, seed: 1, runs: 4000 });
  const contexts = records.map((r) => resolveContext(r, catalog));
  const out = new Float32Array(FEATURE_COUNT);
  const n = records.length;

  const baseline = measure('copy 21 numbers (baseline)', n, () => {
    for (let i = 0; i < n; i++) {
      const p = records[i].plan;
      for (let j = 0; j < FEATURE_COUNT; j++) out[j] = j & 1 ? p.requests : p.prompt_tokens;
    }
  });
  const stateless = measure('buildFeatures (context resolved)', n, () => {
    for (let i = 0; i < n; i++) buildFeatures(records[i], contexts[i], out);
  });
  const resolved = measure('resolveContext + buildFeatures', n, () => {
    for (let i = 0; i < n; i++) buildFeatures(records[i], resolveContext(records[i], catalog), out);
  });
  const stateful = measure('stateful replay (history, point-in-time)', n, () => {
    createFeatureBuilder({ catalog }).replay(records);
  }, { rounds: 5, minMs: 500 });
  report('features: vectors per second, one core', baseline, [stateless, resolved, stateful]);
}
