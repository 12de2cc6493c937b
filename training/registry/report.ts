import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Verdict, Tolerances } from './gate.js';
import type { PullInfo } from '../../model/index.js';

export type Decision = 'promoted' | 'kept' | 'failed';

/** What one retrain did and why: written as JSON beside the registry, a log line, and Prometheus metrics. */
export interface RetrainReport {
  readonly started_at: string;
  readonly finished_at: string;
  readonly duration_s: number;
  readonly decision: Decision;
  readonly reasons: readonly string[];
  readonly source?: string;
  readonly table_version?: number;
  readonly pull?: PullInfo;
  readonly candidate?: { readonly version: string; readonly train_rows: number };
  readonly current?: { readonly version: string | null; readonly in_sample_rows: number; readonly error?: string };
  readonly holdout?: { readonly rows: number; readonly first_launch: string; readonly last_launch: string; readonly fraction: number };
  readonly verdict?: Verdict;
  readonly tolerances?: Tolerances;
  readonly serving?: string | null;
  readonly error?: string;
  readonly report_file?: string;
}

const DECISIONS: readonly Decision[] = ['promoted', 'kept', 'failed'];

/** Counters survive between runs (a cron job is a new process each time): read back from the last file. */
function previousCounts(file: string): Record<Decision, number> {
  const counts = { promoted: 0, kept: 0, failed: 0 };
  if (!existsSync(file)) return counts;
  for (const m of readFileSync(file, 'utf8').matchAll(/^lutflow_retrain_runs_total\{decision="(\w+)"\} (\d+)$/gm))
    if ((DECISIONS as string[]).includes(m[1])) counts[m[1] as Decision] = Number(m[2]);
  return counts;
}

/**
 * Prometheus text format, for node_exporter's textfile collector (cron, Kubernetes CronJob) or served by
 * `lutflow serve` beside its own metrics.
 */
export function writeMetrics(file: string, r: RetrainReport): string {
  const counts = previousCounts(file);
  counts[r.decision]++;
  const lines = [
    '# HELP lutflow_retrain_runs_total Retraining runs by outcome.',
    '# TYPE lutflow_retrain_runs_total counter',
    ...DECISIONS.map((d) => `lutflow_retrain_runs_total{decision="${d}"} ${counts[d]}`),
    '# HELP lutflow_retrain_last_run_timestamp_seconds When the last retrain finished.',
    '# TYPE lutflow_retrain_last_run_timestamp_seconds gauge',
    `lutflow_retrain_last_run_timestamp_seconds ${Date.parse(r.finished_at) / 1000}`,
    '# HELP lutflow_retrain_last_duration_seconds How long the last retrain took.',
    '# TYPE lutflow_retrain_last_duration_seconds gauge',
    `lutflow_retrain_last_duration_seconds ${r.duration_s}`,
    '# HELP lutflow_retrain_last_promoted Whether the last retrain promoted its candidate (1) or not (0).',
    '# TYPE lutflow_retrain_last_promoted gauge',
    `lutflow_retrain_last_promoted ${r.decision === 'promoted' ? 1 : 0}`,
  ];
  const byKind = Object.entries(r.verdict?.by_kind ?? {});
  if (byKind.length) {
    lines.push('# HELP lutflow_retrain_holdout_median_ape_percent Median APE on the last held-out slice.', '# TYPE lutflow_retrain_holdout_median_ape_percent gauge');
    for (const [kind, v] of byKind) {
      if (v.candidate.median_ape !== null) lines.push(`lutflow_retrain_holdout_median_ape_percent{model="candidate",kind="${kind}"} ${v.candidate.median_ape}`);
      if (v.current?.median_ape != null) lines.push(`lutflow_retrain_holdout_median_ape_percent{model="current",kind="${kind}"} ${v.current.median_ape}`);
    }
  }
  if (r.serving) lines.push('# HELP lutflow_registry_serving_info The version the registry points at.', '# TYPE lutflow_registry_serving_info gauge', `lutflow_registry_serving_info{version="${r.serving}"} 1`);
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, lines.join('\n') + '\n');
  renameSync(tmp, file);
  return file;
}

export function writeReport(dir: string, r: RetrainReport): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${r.started_at.replace(/[:.]/g, '-')}${r.candidate ? `-${r.candidate.version}` : ''}.json`);
  writeFileSync(file, JSON.stringify({ ...r, report_file: file }, null, 2) + '\n');
  return file;
}

/** One line for the log: the decision, the versions and the first reason. */
export function summaryLine(r: RetrainReport): string {
  return JSON.stringify({
    event: 'retrain',
    decision: r.decision,
    candidate: r.candidate?.version ?? null,
    current: r.current?.version ?? null,
    serving: r.serving ?? null,
    source: r.source,
    table_version: r.table_version,
    pull: r.pull?.mode,
    new_rows: r.pull?.new_rows,
    holdout_rows: r.holdout?.rows,
    reason: r.error ?? r.reasons[0],
    duration_s: r.duration_s,
    report: r.report_file,
  });
}
