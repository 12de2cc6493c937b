import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createFeatureBuilder } from '../../../features/index.js';
import type { PcpoModel } from '../../../model/index.js';
import type { Catalog } from '../../../pricing/index.js';
import type { RunRecord } from '../../../stream/index.js';
import { readRunRecords } from '../../../training/index.js';
import { planSummary } from './run-book.js';
import type { PlanSummary, RunTableInfo, RunView } from './schemas.js';
import { SpendTally } from './spend-tally.js';

/** A finished run with what the served model predicts for it (point-in-time features) and what it cost. */
export interface FinishedRun extends RunView {
  readonly run_id: string;
  readonly ended_at: string;
  readonly actual_usd: number;
  readonly group: string;
}

export interface RunTableData {
  readonly info: RunTableInfo;
  readonly tallies: ReadonlyMap<string, SpendTally>;
  /** Newest ended first. */
  readonly finished: readonly FinishedRun[];
}

const RECHECK_MS = 5_000;

/** The newest commit in a Delta table's log, without reading the table. */
function latestVersion(table: string): number | undefined {
  const versions = readdirSync(join(table, '_delta_log')).filter((f) => /^\d{20}\.json$/.test(f)).map((f) => Number(f.slice(0, 20)));
  return versions.length ? Math.max(...versions) : undefined;
}

/** The accuracy group of a run: accelerator x engine when self-hosted, the provider for API runs. */
export const groupOf = (p: PlanSummary) =>
  (p.kind === 'self_hosted' ? `${p.gpu_type} x ${p.framework ?? 'engine?'}` : `${p.provider ?? 'api'} API`);

/**
 * The run table (lut.pcpo-features landed in Delta) as the dashboard shows it: spend of finished runs per
 * tenant, and each finished run predicted by the served model, marked in sample when the model learned from it
 * (the table and version its card names). Read when asked, again only after a new commit or another model.
 */
export class RunTable {
  private cached?: { key: string; data: Promise<RunTableData> };
  private checkedAt = -Infinity;

  constructor(private readonly deps: { path: () => string | undefined; model: () => PcpoModel | undefined; catalog: Catalog; clock: () => number }) {}

  async get(): Promise<RunTableData | undefined> {
    const path = this.deps.path();
    if (!path || !existsSync(join(path, '_delta_log'))) return undefined;
    const now = this.deps.clock();
    if (this.cached && now - this.checkedAt < RECHECK_MS) return this.cached.data;
    this.checkedAt = now;
    const model = this.deps.model();
    const key = `${resolve(path)}@${latestVersion(path)}#${model?.version ?? ''}`;
    if (this.cached?.key !== key) {
      const data = this.load(path, model).catch((err: Error) => failed(path, err));
      this.cached = { key, data };
    }
    return this.cached.data;
  }

  private async load(path: string, model: PcpoModel | undefined): Promise<RunTableData> {
    const { version, records } = await readRunRecords(path);
    const trained = model && model.card.data.delta_version !== null && resolve(model.card.data.source) === resolve(path)
      ? model.card.data.delta_version : null;
    const seenByModel = trained === null ? new Set<string>()
      : new Set((trained >= version ? records : (await readRunRecords(path, trained)).records).map((r) => r.run_id));
    const matrix = model ? createFeatureBuilder({ catalog: this.deps.catalog }).replay(records) : undefined;
    const tallies = new Map<string, SpendTally>();
    const finished: FinishedRun[] = [];
    records.forEach((r, i) => {
      const o = r.outcome;
      if (!o) return;
      let tally = tallies.get(r.tenant_id);
      if (!tally) tallies.set(r.tenant_id, (tally = new SpendTally()));
      tally.add({
        at: Date.parse(o.ended_at), micros: o.cost_usd_micros, model: r.plan.model,
        provider: r.plan.kind === 'self_hosted' ? 'self_hosted' : r.plan.provider ?? 'api',
        tokens: { input: o.input_tokens, output: o.output_tokens }, gpuSeconds: o.gpu_seconds,
      });
      const p = model && matrix ? predict(model, matrix, i, r) : undefined;
      const plan = planSummary(r.plan);
      finished.push({
        run_id: r.run_id, tenant_id: r.tenant_id, source: 'run_table', status: o.status, plan,
        launched_at: r.launched_at, ended_at: o.ended_at, predicted_p50_usd: p?.p50_usd ?? null, predicted_p90_usd: p?.p90_usd ?? null,
        actual_usd: o.cost_usd_micros / 1e6, reservation_id: null, reserved_usd: null, expires_at: null,
        model_version: p ? model!.version : null, in_sample: seenByModel.has(r.run_id), group: groupOf(plan),
      });
    });
    finished.sort((a, b) => b.ended_at.localeCompare(a.ended_at));
    return {
      info: { source: path, delta_version: version, runs: records.length, finished: finished.length, trained_on_version: trained, error: null },
      tallies, finished,
    };
  }
}

function predict(model: PcpoModel, matrix: Float32Array, row: number, r: RunRecord) {
  try {
    return model.predictCost(matrix, row, { model: r.plan.model });
  } catch {
    return undefined;
  }
}

function failed(path: string, err: Error): RunTableData {
  return {
    info: { source: path, delta_version: null, runs: 0, finished: 0, trained_on_version: null, error: err.message },
    tallies: new Map(), finished: [],
  };
}
