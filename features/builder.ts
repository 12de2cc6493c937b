import { builtinCatalog, type Catalog } from '../pricing/index.js';
import type { RunRecord } from '../stream/index.js';
import { buildFeatures } from './build.js';
import { resolveContext } from './context.js';
import { TenantHistory } from './history.js';
import { FEATURE_COUNT } from './spec.js';

export interface FeatureBuilderOptions {
  readonly catalog?: Catalog;
  readonly history?: TenantHistory;
}

export interface FeatureBuilder {
  readonly history: TenantHistory;
  /** Features of a run as of its launch, from the history observed so far. */
  features(r: RunRecord, out?: Float32Array): Float32Array;
  /** Applies a finished run's outcome to its tenant's history. */
  observe(r: RunRecord): void;
  /**
   * Replays records in event time (launches at `launched_at`, outcomes at `outcome.ended_at`; a launch
   * sorts before an outcome at the same instant) so each run sees only outcomes that finished before it
   * launched. Returns a row-major matrix, row i for records[i].
   */
  replay(records: readonly RunRecord[]): Float32Array;
}

/** The stateful builder: per-tenant history plus the pure `buildFeatures`. */
export function createFeatureBuilder(opts: FeatureBuilderOptions = {}): FeatureBuilder {
  const catalog = opts.catalog ?? builtinCatalog();
  const history = opts.history ?? new TenantHistory();

  const features = (r: RunRecord, out?: Float32Array) =>
    buildFeatures(r, resolveContext(r, catalog, history.snapshot(r.tenant_id, Date.parse(r.launched_at))), out);

  const observe = (r: RunRecord) => history.observeRun(r);

  const replay = (records: readonly RunRecord[]) => {
    const n = records.length;
    // Event i < n is record i's launch; event n + i is its outcome.
    const times = new Float64Array(2 * n);
    const order: number[] = [];
    for (let i = 0; i < n; i++) {
      times[i] = Date.parse(records[i].launched_at);
      order.push(i);
      const o = records[i].outcome;
      if (o) { times[n + i] = Date.parse(o.ended_at); order.push(n + i); }
    }
    order.sort((a, b) => times[a] - times[b] || (a >= n ? 1 : 0) - (b >= n ? 1 : 0) || a - b);
    const matrix = new Float32Array(n * FEATURE_COUNT);
    for (const ev of order) {
      if (ev < n) features(records[ev], matrix.subarray(ev * FEATURE_COUNT, (ev + 1) * FEATURE_COUNT));
      else observe(records[ev - n]);
    }
    return matrix;
  };

  return { history, features, observe, replay };
}
