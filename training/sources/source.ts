import { microsFromTimestamp, type DeltaRow } from '../../delta/index.js';
import type { RunRecord } from '../../stream/index.js';
import { rowToRecord } from '../runs-table.js';
import { SourceError } from './errors.js';

export type SourceKind = 'delta' | 'duckdb' | 'databricks';

/** Rows of the runs table at one version: all of them, or only those added after `since`. */
export interface Pulled {
  /** In canonical order (launch time, then run id), whatever the table's file layout. */
  readonly records: RunRecord[];
  /** The table version the rows were read at (null: a source without versions, e.g. a CSV). */
  readonly version: number | null;
  /** For an incremental pull, the version whose rows were left out. */
  readonly since: number | null;
}

export interface PullOptions {
  /** Read the table as of this version (default: its latest). */
  readonly version?: number;
  /** Only rows that were not in the table at this version: an incremental pull. */
  readonly sinceVersion?: number;
  /** Rows read so far, for progress on long pulls. */
  readonly onProgress?: (rows: number) => void;
}

/**
 * Where training runs come from: the `pcpo_runs` table (one column per record field, as the sink and
 * Tableflow land it) read by one engine. Every adapter returns the same records in the same order for the
 * same table version, so training on any of them gives the same model.
 */
export interface TrainingDataSource {
  readonly kind: SourceKind;
  /** How the model card names the data: a path, `duckdb:PATH` or `databricks:CATALOG.SCHEMA.TABLE`. */
  readonly name: string;
  /** The table's latest version. */
  latestVersion(): Promise<number>;
  /** Rows in the table at a version (checks an incremental pull against the table). */
  count(version: number): Promise<number>;
  pull(opts?: PullOptions): Promise<Pulled>;
  close(): Promise<void>;
}

/** Launch time, then run id: an order every engine and file layout agrees on. */
export function canonicalOrder(records: RunRecord[]): RunRecord[] {
  const keyed = records.map((r) => ({ r, t: microsFromTimestamp(r.launched_at, 'launched_at') }));
  keyed.sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : a.r.run_id < b.r.run_id ? -1 : a.r.run_id > b.r.run_id ? 1 : 0));
  return keyed.map((k) => k.r);
}

/** Rows to contract-checked records in canonical order; a run id twice is a table (or transfer) fault. */
export function recordsFromRows(rows: readonly DeltaRow[], where: string): RunRecord[] {
  const seen = new Set<string>();
  const records = rows.map((row, i) => {
    const r = rowToRecord(row, `${where} row ${i} (run_id ${String(row.run_id)})`);
    if (seen.has(r.run_id))
      throw new SourceError('INCONSISTENT', `${where}: run ${r.run_id} appears twice`, 'run_id');
    seen.add(r.run_id);
    return r;
  });
  return canonicalOrder(records);
}
