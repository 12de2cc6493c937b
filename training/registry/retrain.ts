import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createFeatureBuilder } from '../../features/index.js';
import { loadPcpoModel, type PcpoModel } from '../../model/index.js';
import { builtinCatalog, type Catalog } from '../../pricing/index.js';
import type { RunRecord } from '../../stream/index.js';
import { evaluateModel, type EvalReport } from '../pcpo/evaluate.js';
import { trainPcpo, type TrainOptions } from '../pcpo/train.js';
import { openSource, type TrainingDataSource } from '../sources/index.js';
import { DEFAULT_TOLERANCES, judge, type Tolerances } from './gate.js';
import { pullRuns } from './mirror.js';
import { VersionRegistry } from './registry.js';
import { summaryLine, writeMetrics, writeReport, type RetrainReport } from './report.js';

export const DEFAULT_HOLDOUT = 0.2;
export const DEFAULT_KEEP = 10;

export interface RetrainOptions {
  readonly registry: string;
  /** A `--data` value: local Delta folder, `duckdb:PATH` or `databricks:CATALOG.SCHEMA.TABLE`. */
  readonly data: string;
  /** Share of the most recent runs held out to judge candidate and current on (default 0.2). */
  readonly holdout?: number;
  readonly tolerances?: Partial<Tolerances>;
  readonly train?: Pick<TrainOptions, 'rounds' | 'folds' | 'seed' | 'split' | 'params' | 'earlyStoppingRounds'>;
  /** Versions kept besides those serving or on the rollback path (default 10). */
  readonly keep?: number;
  readonly catalog?: Catalog;
  /** An open source (tests, the in-process schedule); else opened from `data` and closed after. */
  readonly source?: TrainingDataSource;
  readonly log?: (line: string) => void;
}

/** The newest runs by launch time (ties at the boundary go with them), never fewer than one. */
export function holdoutStart(records: readonly RunRecord[], fraction: number): number {
  let start = Math.max(1, records.length - Math.max(1, Math.ceil(records.length * fraction)));
  while (start > 1 && records[start - 1].launched_at === records[start].launched_at) start--;
  return start;
}

function loadCurrent(registry: VersionRegistry): { version: string | null; model?: PcpoModel; error?: string } {
  const version = registry.current();
  if (!version) return { version: null };
  try {
    return { version, model: loadPcpoModel(registry.versionDir(version)) };
  } catch (err) {
    return { version, error: (err as Error).message };
  }
}

/**
 * One scheduled retrain: pull the runs (only the new ones from a remote table), hold out the most recent
 * slice, train a candidate on the rest, score candidate and current model on that same slice, and promote the
 * candidate only if it is not worse within the tolerances; otherwise the current model keeps serving and the
 * report says why. Every run leaves a JSON report, a log line and Prometheus metrics, failures included.
 */
export async function retrain(opts: RetrainOptions): Promise<RetrainReport> {
  const log = opts.log ?? (() => {});
  const started = new Date();
  const registry = new VersionRegistry(opts.registry).init();
  const tolerances = { ...DEFAULT_TOLERANCES, ...opts.tolerances };
  const fraction = opts.holdout ?? DEFAULT_HOLDOUT;
  const unlock = registry.lock();
  const source = opts.source ?? openSource(opts.data, { databricks: { onLog: log } });
  let partial: Partial<RetrainReport> = {};
  try {
    const catalog = opts.catalog ?? builtinCatalog();
    const pulled = await pullRuns(source, join(opts.registry, 'data'), log);
    partial = { source: pulled.source, table_version: pulled.version, pull: pulled.pull };
    const { records } = pulled;
    const start = holdoutStart(records, fraction);
    const holdout = { rows: records.length - start, first_launch: records[start].launched_at, last_launch: records[records.length - 1].launched_at, fraction };
    log(`retrain: ${records.length} runs from ${pulled.source} v${pulled.version}; training on ${start}, holding out the newest ${holdout.rows}`);

    const staging = join(registry.versionsDir, `.candidate-${process.pid}`);
    rmSync(staging, { recursive: true, force: true });
    const trained = trainPcpo({
      ...opts.train,
      records: records.slice(0, start),
      out: staging,
      catalog,
      source: pulled.source,
      deltaVersion: pulled.version,
      pull: pulled.pull,
      onProgress: (l) => log(`  ${l}`),
    });
    const version = registry.add(staging);
    const candidate = loadPcpoModel(registry.versionDir(version));
    const current = loadCurrent(registry);

    // Both models score the same rows, with features replayed point-in-time over every run.
    const matrix = createFeatureBuilder({ catalog }).replay(records);
    const only = new Set(records.map((_, i) => i).filter((i) => i >= start));
    const candEval = evaluateModel(candidate, records, matrix, only);
    const curEval: EvalReport | null = current.model ? evaluateModel(current.model, records, matrix, only) : null;
    const lastSeen = current.model?.card.data.launched?.last;
    const inSample = lastSeen ? records.slice(start).filter((r) => Date.parse(r.launched_at) <= Date.parse(lastSeen)).length : 0;
    const verdict = judge(candEval, curEval, tolerances);
    const reasons = [...(current.error ? [`the current model ${current.version} does not load (${current.error}); judged as absent`] : []), ...verdict.reasons];
    if (verdict.promote) registry.promote(version, reasons.join('; '));
    else registry.record({ action: 'refuse', version, previous: current.version, reason: reasons.join('; ') });
    const removed = registry.prune(opts.keep ?? DEFAULT_KEEP);
    if (removed.length) log(`retrain: removed old versions ${removed.join(', ')}`);
    return finish(opts, registry, started, {
      ...partial,
      decision: verdict.promote ? 'promoted' : 'kept',
      reasons,
      candidate: { version, train_rows: trained.card.data.rows },
      current: { version: current.version, in_sample_rows: inSample, ...(current.error ? { error: current.error } : {}) },
      holdout,
      verdict,
      tolerances,
    });
  } catch (err) {
    const report = finish(opts, registry, started, { ...partial, decision: 'failed', reasons: [], error: (err as Error).message });
    throw Object.assign(err as Error, { report });
  } finally {
    if (!opts.source) await source.close();
    unlock();
  }
}

function finish(opts: RetrainOptions, registry: VersionRegistry, started: Date, r: Omit<RetrainReport, 'started_at' | 'finished_at' | 'duration_s'>): RetrainReport {
  const finished = new Date();
  let report: RetrainReport = {
    started_at: started.toISOString(),
    finished_at: finished.toISOString(),
    duration_s: Math.round((finished.getTime() - started.getTime()) / 100) / 10,
    ...r,
    serving: registry.current(),
  };
  report = { ...report, report_file: writeReport(join(opts.registry, 'reports'), report) };
  writeMetrics(join(opts.registry, 'retrain.prom'), report);
  opts.log?.(summaryLine(report));
  return report;
}
