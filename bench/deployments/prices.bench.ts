import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCsv } from '../../lib/csv.js';
import { createGpuSpecTable } from '../../pricing/index.js';
import { builtinSource, catalogFiles, lookupGpuPrices, skypilotSource } from '../../pricing/sources/index.js';
import { measure, report } from '../runner.js';

/**
 * Prices from every cloud: reading SkyPilot's 10 GPU catalogs (about 1,000 rows) into normalised offers, and a lookup
 * of one GPU across the sources, against the baseline of only parsing the same CSV files.
 */
export async function run(): Promise<void> {
  const dir = resolve(import.meta.dirname, '../../../shared/data/skypilot_catalog');
  const specs = createGpuSpecTable();
  const texts = catalogFiles(dir).map((f) => readFileSync(f.path, 'utf8'));
  const rows = texts.reduce((n, t) => n + parseCsv(t).rows.length, 0);
  const baseline = measure(`parse the 10 CSV files (${rows} rows)`, 1, () => { for (const t of texts) parseCsv(t); }, { rounds: 3, minMs: 200 });
  const load = measure('read + normalise every offer (a fresh source)', 1, () => {
    void skypilotSource(dir, specs).offers();
  }, { rounds: 3, minMs: 200 });
  const sources = [builtinSource(specs), skypilotSource(dir, specs)];
  await lookupGpuPrices(sources, 'H100', { specs, skypilotDir: dir });
  const t0 = performance.now();
  const N = 200;
  for (let i = 0; i < N; i++) await lookupGpuPrices(sources, i % 2 ? 'nvidia-l4' : 'H100', { specs, skypilotDir: dir });
  const lookupNs = ((performance.now() - t0) * 1e6) / N;
  report('deployments: price sources (SkyPilot catalogs of 10 clouds)', baseline, [load, { name: 'lookup one GPU, sources loaded (L4, H100 alternately)', nsPerOp: lookupNs, opsPerSecond: 1e9 / lookupNs }]);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
