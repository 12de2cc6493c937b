import { randomUUID } from 'node:crypto';
import { linkSync, mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkpointInterval, writeCheckpoint } from './checkpoint.js';
import { DeltaError } from './errors.js';
import {
  applyCommit,
  commitFile,
  latestVersion,
  logDir,
  readSnapshot,
  updateSnapshot,
  type Action,
  type Snapshot,
} from './log.js';

/** Writes the commit file atomically: a temp file hard-linked into place fails if the version exists. */
function tryCommit(tablePath: string, version: number, actions: readonly object[]): boolean {
  const tmp = join(logDir(tablePath), `.tmp-${randomUUID()}.json`);
  try {
    writeFileSync(tmp, actions.map((a) => JSON.stringify(a)).join('\n') + '\n');
    linkSync(tmp, commitFile(tablePath, version));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      /* never created (a full disk) */
    }
  }
}

export interface CommitOptions {
  /** A snapshot of this table this process holds: only newer commits are read. */
  readonly snapshot?: Snapshot;
  /** Attempts when another writer commits the same version first. */
  readonly maxAttempts?: number;
  /** Write a checkpoint when the new version is a multiple of the table's checkpoint interval (default). */
  readonly checkpoint?: boolean;
}

export interface Committed {
  readonly version: number;
  /** The table right after this commit (pass it to the next write). */
  readonly snapshot: Snapshot;
  /** `build` found nothing to commit. */
  readonly skipped: boolean;
}

/**
 * Optimistic concurrency for one commit: `build` sees the current table (undefined before the first commit)
 * and returns the actions (null: nothing to commit), or throws when the table moved in a way that invalidates
 * them; if another writer
 * takes the version first, the table is read again and `build` runs again. A checkpoint follows every
 * `delta.checkpointInterval` versions.
 */
export async function commitActions(
  tablePath: string,
  build: (current: Snapshot | undefined) => Action[] | null | Promise<Action[] | null>,
  opts: CommitOptions = {},
): Promise<Committed> {
  const maxAttempts = opts.maxAttempts ?? 10;
  mkdirSync(logDir(tablePath), { recursive: true });
  let current = opts.snapshot;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (current) current = await updateSnapshot(current);
    else if (latestVersion(tablePath) >= 0) current = await readSnapshot(tablePath);
    const actions = await build(current);
    if (actions === null) {
      if (!current)
        throw new DeltaError(
          'NOT_A_TABLE',
          `${tablePath}: nothing to commit to a table that does not exist`,
          tablePath,
        );
      return { version: current.version, snapshot: current, skipped: true };
    }
    const version = (current?.version ?? -1) + 1;
    if (tryCommit(tablePath, version, actions)) {
      const snapshot = applyCommit(current, tablePath, version, actions);
      if (opts.checkpoint !== false && version > 0 && version % checkpointInterval(snapshot) === 0)
        writeCheckpoint(snapshot);
      return { version, snapshot, skipped: false };
    }
  }
  throw new DeltaError(
    'COMMIT_CONFLICT',
    `${tablePath}: gave up after ${maxAttempts} attempts; other writers kept committing first`,
    tablePath,
  );
}
