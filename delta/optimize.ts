import { commitActions } from './commit.js';
import { writeDataFile } from './data-file.js';
import { DeltaError } from './errors.js';
import { readSnapshot, updateSnapshot, type Action, type AddAction, type Snapshot } from './log.js';
import { readDataFile, type DeltaRow } from './read.js';

export interface OptimizeOptions {
  /** Files smaller than this are rewritten (default 16 MiB). */
  readonly smallFileBytes?: number;
  /** Rows per new file at most (default 1,000,000). */
  readonly targetRows?: number;
  /** Only when at least this many small files exist (default 2). */
  readonly minFiles?: number;
  /** A snapshot of the table this process holds: only newer commits are read. */
  readonly snapshot?: Snapshot;
}

export interface OptimizeResult {
  readonly version: number;
  readonly filesRemoved: number;
  readonly filesAdded: number;
  readonly rows: number;
  readonly skipped: boolean;
  readonly snapshot: Snapshot;
}

/**
 * Compaction (Delta's OPTIMIZE): rewrites the table's small files into few large ones in one commit that
 * removes the old files and adds the new ones, both with `dataChange: false`, so streaming readers skip it
 * and the rows, app versions and history stay as they were. Appends committed meanwhile are kept: the
 * commit only needs the files it removes to still be live. The old files stay on disk for readers of
 * older versions.
 */
export async function optimizeDeltaTable(tablePath: string, opts: OptimizeOptions = {}): Promise<OptimizeResult> {
  const snapshot = opts.snapshot ? await updateSnapshot(opts.snapshot) : await readSnapshot(tablePath);
  if (snapshot.metadata.partitionColumns.length) {
    throw new DeltaError(
      'SCHEMA_MISMATCH',
      `${tablePath}: compacting a partitioned table is not supported by this writer`,
      'partitionColumns',
    );
  }
  const small = [...snapshot.files.values()].filter((a) => a.size < (opts.smallFileBytes ?? 16 << 20));
  if (small.length < Math.max(2, opts.minFiles ?? 2))
    return { version: snapshot.version, filesRemoved: 0, filesAdded: 0, rows: 0, skipped: true, snapshot };
  const rows: DeltaRow[] = [];
  for (const add of small)
    for (const row of await readDataFile(snapshot, add, snapshot.schema.fields, true)) rows.push(row);
  const target = opts.targetRows ?? 1_000_000;
  const now = Date.now();
  const added: AddAction[] = [];
  for (let i = 0; i < rows.length; i += target)
    added.push({ ...writeDataFile(tablePath, snapshot.schema, rows.slice(i, i + target), now), dataChange: false });
  const committed = await commitActions(
    tablePath,
    (current) => {
      for (const a of small) {
        if (!current?.files.has(decodeURIComponent(a.path)))
          throw new DeltaError(
            'COMMIT_CONFLICT',
            `${tablePath}: ${a.path} was removed by another writer during compaction`,
            a.path,
          );
      }
      return [
        ...small.map((a): Action => ({
          remove: {
            path: a.path,
            deletionTimestamp: now,
            dataChange: false,
            extendedFileMetadata: true,
            partitionValues: {},
            size: a.size,
          } as never,
        })),
        ...added.map((add): Action => ({ add })),
        {
          commitInfo: {
            timestamp: now,
            operation: 'OPTIMIZE',
            operationParameters: { targetRows: target },
            engineInfo: 'lutflow',
            isBlindAppend: false,
          },
        } as never,
      ];
    },
    { snapshot },
  );
  return {
    version: committed.version,
    filesRemoved: small.length,
    filesAdded: added.length,
    rows: rows.length,
    skipped: false,
    snapshot: committed.snapshot,
  };
}
