import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PullInfo } from '../../model/index.js';
import type { RunRecord } from '../../stream/index.js';
import { appendRunRecords, readRunRecords } from '../runs-table.js';
import { canonicalOrder, SourceError, type TrainingDataSource } from '../sources/index.js';

export interface PulledRuns {
  readonly records: RunRecord[];
  readonly source: string;
  readonly version: number;
  readonly pull: PullInfo;
}

interface MirrorState {
  readonly source: string;
  readonly version: number;
  readonly rows: number;
}

/**
 * Every run of a source's table at its latest version, moving only what is new: a remote table (Databricks,
 * DuckDB) is mirrored into a local Delta table under `dir`, and each later pull fetches just the runs added
 * since the mirrored version. The mirror is checked against the source's row count at the new version; a
 * table changed other than by appends (rows deleted or rewritten), a history the source no longer keeps, or
 * another source is pulled whole again. A local Delta table is read directly.
 */
export async function pullRuns(source: TrainingDataSource, dir: string, log: (l: string) => void = () => {}): Promise<PulledRuns> {
  const version = await source.latestVersion();
  if (source.kind === 'delta') {
    const p = await source.pull({ version });
    return { records: p.records, source: source.name, version, pull: { mode: 'full', since_version: null, new_rows: p.records.length } };
  }
  const table = join(dir, 'pcpo_runs');
  const stateFile = join(dir, 'pull-state.json');
  const state = existsSync(stateFile) && existsSync(table) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as MirrorState) : null;
  let reason = 'first pull';
  if (state && state.source !== source.name) reason = `the mirror holds ${state.source}`;
  else if (state && state.version > version) reason = `the table is at version ${version}, behind the mirrored ${state.version}`;
  else if (state) {
    try {
      const added = state.version === version ? [] : (await source.pull({ version, sinceVersion: state.version })).records;
      const total = await source.count(version);
      if (total !== state.rows + added.length) reason = `the table changed other than by appends (${total} rows, ${state.rows} mirrored + ${added.length} new)`;
      else {
        if (added.length) await appendRunRecords(table, added, { appId: 'lutflow-pull', appVersion: version });
        writeFileSync(stateFile, JSON.stringify({ source: source.name, version, rows: total } satisfies MirrorState));
        log(`${source.name}: v${state.version} -> v${version}, ${added.length} new runs (${total} in all)`);
        const { records } = await readRunRecords(table);
        return { records: canonicalOrder(records), source: source.name, version, pull: { mode: 'incremental', since_version: state.version, new_rows: added.length } };
      }
    } catch (err) {
      if (!(err instanceof SourceError) || (err.code !== 'QUERY' && err.code !== 'NOT_FOUND' && err.code !== 'INCONSISTENT')) throw err;
      reason = `an incremental pull failed (${err.message})`;
    }
  }
  log(`${source.name}: pulling v${version} whole: ${reason}`);
  const p = await source.pull({ version, onProgress: (n) => log(`${source.name}: ${n} rows`) });
  const staging = `${table}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  await appendRunRecords(staging, p.records, { appId: 'lutflow-pull', appVersion: version });
  rmSync(table, { recursive: true, force: true });
  renameSync(staging, table);
  writeFileSync(stateFile, JSON.stringify({ source: source.name, version, rows: p.records.length } satisfies MirrorState));
  return { records: p.records, source: source.name, version, pull: { mode: 'full', since_version: null, new_rows: p.records.length, reason } };
}
