import { randomUUID } from 'node:crypto';
import { commitActions } from './commit.js';
import { writeDataFile } from './data-file.js';
import { DeltaError } from './errors.js';
import type { Action, MetadataAction, ProtocolAction, Snapshot } from './log.js';
import type { DeltaRow } from './read.js';
import { sameSchema, type DeltaSchema } from './schema.js';

export interface AppendOptions {
  /** Required when the table does not exist yet; must equal the table's schema otherwise. */
  readonly schema?: DeltaSchema;
  readonly tableName?: string;
  /** Idempotent writers: commit only if `appVersion` is newer than the app's last committed one (else skip). */
  readonly appId?: string;
  readonly appVersion?: number;
  /**
   * Several applications' versions in one commit (e.g. one per Kafka partition). Each must be newer than
   * the app's last committed one, else the append fails with TXN_CONFLICT naming the app: another writer
   * committed that range, and the caller must look again at what it holds.
   */
  readonly txns?: readonly { appId: string; version: number }[];
  readonly operation?: string;
  /** Attempts when another writer commits the same version first. */
  readonly maxAttempts?: number;
  /** A snapshot of the table this process holds (from the last `AppendResult`): only newer commits are read. */
  readonly snapshot?: Snapshot;
  /** Table properties on creation, e.g. `delta.checkpointInterval`. */
  readonly configuration?: Record<string, string>;
}

export interface AppendResult {
  /** The version committed, or the current one when the idempotent append was already there. */
  readonly version: number;
  readonly rowsWritten: number;
  readonly skipped: boolean;
  /** The table after this append. */
  readonly snapshot: Snapshot;
}

/**
 * Appends rows to a local Delta table as one parquet file and one commit, creating the table (protocol
 * 1/2, no features) on first write. The data file lands before the commit, so a failure leaves at most
 * an unreferenced file, never a half-visible append. Every `delta.checkpointInterval` commits (10 by
 * default) a checkpoint is written.
 */
export async function appendToDeltaTable(
  tablePath: string,
  rows: readonly DeltaRow[],
  opts: AppendOptions = {},
): Promise<AppendResult> {
  let add: Action['add'];
  const txns = [
    ...(opts.txns ?? []),
    ...(opts.appId !== undefined ? [{ appId: opts.appId, version: opts.appVersion ?? 0 }] : []),
  ];
  const committed = await commitActions(
    tablePath,
    (snapshot) => {
      const schema = snapshot?.schema ?? opts.schema;
      if (!schema)
        throw new DeltaError('NOT_A_TABLE', `${tablePath}: table does not exist; pass a schema to create it`, 'schema');
      if (snapshot && opts.schema && !sameSchema(snapshot.schema, opts.schema)) {
        throw new DeltaError(
          'SCHEMA_MISMATCH',
          `${tablePath}: the table's schema differs from the one given (columns: ${snapshot.schema.fields.map((f) => f.name).join(', ')})`,
          'schema',
        );
      }
      if (snapshot?.metadata.partitionColumns.length) {
        throw new DeltaError(
          'SCHEMA_MISMATCH',
          `${tablePath}: appending to a partitioned table is not supported by this writer`,
          'partitionColumns',
        );
      }
      if (
        opts.appId !== undefined &&
        snapshot &&
        (snapshot.appVersions.get(opts.appId) ?? -1) >= (opts.appVersion ?? 0)
      ) {
        return null;
      }
      for (const t of opts.txns ?? []) {
        const have = snapshot?.appVersions.get(t.appId);
        if (have !== undefined && have >= t.version) {
          throw new DeltaError(
            'TXN_CONFLICT',
            `${tablePath}: app '${t.appId}' is already at version ${have} (this append brings ${t.version}): another writer committed that range`,
            t.appId,
          );
        }
      }
      const actions: Action[] = [];
      const now = Date.now();
      if (!snapshot) {
        const protocol: ProtocolAction = { minReaderVersion: 1, minWriterVersion: 2 };
        const metaData: MetadataAction = {
          id: randomUUID(),
          name: opts.tableName ?? null,
          description: null,
          format: { provider: 'parquet', options: {} },
          schemaString: JSON.stringify(schema),
          partitionColumns: [],
          configuration: { ...opts.configuration },
          createdTime: now,
        };
        actions.push({ protocol }, { metaData });
      }
      for (const t of txns) actions.push({ txn: { appId: t.appId, version: t.version, lastUpdated: now } as never });
      // The data file is written once, whatever the number of attempts.
      if (rows.length > 0) actions.push({ add: (add ??= writeDataFile(tablePath, schema, rows, now)) });
      actions.push({
        commitInfo: {
          timestamp: now,
          operation: opts.operation ?? 'WRITE',
          operationParameters: { mode: 'Append' },
          engineInfo: 'lutflow',
          isBlindAppend: true,
        },
      } as never);
      return actions;
    },
    { snapshot: opts.snapshot, maxAttempts: opts.maxAttempts },
  );
  return {
    version: committed.version,
    rowsWritten: committed.skipped ? 0 : rows.length,
    skipped: committed.skipped,
    snapshot: committed.snapshot,
  };
}
