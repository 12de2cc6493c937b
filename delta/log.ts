import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { DeltaError } from './errors.js';
import { parseSchemaString, type DeltaSchema } from './schema.js';

export interface ProtocolAction {
  minReaderVersion: number;
  minWriterVersion: number;
  readerFeatures?: string[];
  writerFeatures?: string[];
}

export interface MetadataAction {
  id: string;
  name?: string | null;
  description?: string | null;
  format: { provider: string; options: Record<string, string> };
  schemaString: string;
  partitionColumns: string[];
  configuration: Record<string, string>;
  createdTime?: number | null;
}

export interface AddAction {
  path: string;
  partitionValues: Record<string, string | null>;
  size: number;
  modificationTime: number;
  dataChange: boolean;
  stats?: string | null;
  tags?: Record<string, string> | null;
  deletionVector?: unknown;
}

export interface Snapshot {
  readonly tablePath: string;
  readonly version: number;
  readonly protocol: ProtocolAction;
  readonly metadata: MetadataAction;
  readonly schema: DeltaSchema;
  /** Live data files, by path relative to the table root. */
  readonly files: ReadonlyMap<string, AddAction>;
  /** Last committed version per application id (`txn` actions), for idempotent writers. */
  readonly appVersions: ReadonlyMap<string, number>;
}

/** Reader features whose absence from this reader would change what a table means. */
const SUPPORTED_READER_FEATURES = new Set(['timestampNtz', 'vacuumProtocolCheck']);

export const logDir = (tablePath: string) => join(tablePath, '_delta_log');
export const commitFile = (tablePath: string, version: number) => join(logDir(tablePath), `${String(version).padStart(20, '0')}.json`);

interface LogListing {
  commits: Map<number, string>;
  /** Complete checkpoints by version: their part files in order. */
  checkpoints: Map<number, string[]>;
}

function listLog(tablePath: string): LogListing {
  const dir = logDir(tablePath);
  if (!existsSync(dir)) throw new DeltaError('NOT_A_TABLE', `${tablePath}: not a Delta table (no _delta_log directory)`, tablePath);
  const commits = new Map<number, string>();
  const parts = new Map<number, { total: number; files: Map<number, string> }>();
  for (const name of readdirSync(dir)) {
    let m = /^(\d{20})\.json$/.exec(name);
    if (m) { commits.set(Number(m[1]), name); continue; }
    m = /^(\d{20})\.checkpoint\.parquet$/.exec(name);
    if (m) { parts.set(Number(m[1]), { total: 1, files: new Map([[1, name]]) }); continue; }
    m = /^(\d{20})\.checkpoint\.(\d{10})\.(\d{10})\.parquet$/.exec(name);
    if (m) {
      const v = Number(m[1]);
      const entry = parts.get(v) ?? { total: Number(m[3]), files: new Map<number, string>() };
      entry.files.set(Number(m[2]), name);
      parts.set(v, entry);
    }
  }
  const checkpoints = new Map<number, string[]>();
  for (const [v, { total, files }] of parts) {
    if (files.size === total) checkpoints.set(v, [...files.entries()].sort((a, b) => a[0] - b[0]).map(([, f]) => f));
  }
  return { commits, checkpoints };
}

export type Action = { add?: AddAction; remove?: { path: string }; metaData?: MetadataAction; protocol?: ProtocolAction; txn?: { appId: string; version: number } };

class SnapshotBuilder {
  protocol?: ProtocolAction;
  metadata?: MetadataAction;
  readonly files: Map<string, AddAction>;
  readonly appVersions: Map<string, number>;

  constructor(from?: Snapshot) {
    this.protocol = from?.protocol;
    this.metadata = from?.metadata;
    this.files = new Map(from?.files);
    this.appVersions = new Map(from?.appVersions);
  }

  apply(a: Action): void {
    if (a.add) this.files.set(decodeURIComponent(a.add.path), a.add);
    else if (a.remove) this.files.delete(decodeURIComponent(a.remove.path));
    else if (a.metaData) this.metadata = a.metaData;
    else if (a.protocol) this.protocol = a.protocol;
    else if (a.txn) this.appVersions.set(a.txn.appId, Number(a.txn.version));
  }
}

/** Checkpoint rows hold one non-null action each; parquet nulls become undefined so `apply` sees one key. */
function checkpointAction(row: Record<string, unknown>): Action {
  const a: Record<string, unknown> = {};
  for (const k of ['add', 'remove', 'metaData', 'protocol', 'txn']) if (row[k] != null) a[k] = normaliseCheckpointValue(row[k]);
  return a as Action;
}

/** Parquet maps arrive as key/value lists or objects depending on the writer; int64 as bigint. */
function normaliseCheckpointValue(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) {
    if (v.length > 0 && v.every((e) => e && typeof e === 'object' && 'key' in e && 'value' in e)) return Object.fromEntries(v.map((e) => [e.key, normaliseCheckpointValue(e.value)]));
    return v.map(normaliseCheckpointValue);
  }
  if (v && typeof v === 'object' && !(v instanceof Date) && !(v instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normaliseCheckpointValue(x)]));
  }
  return v;
}

function checkProtocol(p: ProtocolAction, tablePath: string): void {
  if (p.minReaderVersion > 3) throw new DeltaError('UNSUPPORTED_PROTOCOL', `${tablePath}: reader version ${p.minReaderVersion} is not supported (max 3)`, 'protocol.minReaderVersion');
  const missing = (p.readerFeatures ?? []).filter((f) => !SUPPORTED_READER_FEATURES.has(f));
  if (missing.length) throw new DeltaError('UNSUPPORTED_PROTOCOL', `${tablePath}: table needs reader feature(s) ${missing.join(', ')}, which this reader does not support`, 'protocol.readerFeatures');
  if (p.minReaderVersion === 2) throw new DeltaError('UNSUPPORTED_PROTOCOL', `${tablePath}: reader version 2 (column mapping) is not supported`, 'protocol.minReaderVersion');
}

/** The table state at `version` (latest by default): newest checkpoint at or below it, then the JSON commits after. */
export async function readSnapshot(tablePath: string, version?: number): Promise<Snapshot> {
  const { commits, checkpoints } = listLog(tablePath);
  const latest = Math.max(-1, ...commits.keys(), ...checkpoints.keys());
  if (latest < 0) throw new DeltaError('NOT_A_TABLE', `${tablePath}: _delta_log holds no commit`, tablePath);
  const target = version ?? latest;
  if (target > latest || target < 0) throw new DeltaError('VERSION_NOT_FOUND', `${tablePath}: version ${target} does not exist (latest is ${latest})`, 'version');

  const b = new SnapshotBuilder();
  const cp = Math.max(-1, ...[...checkpoints.keys()].filter((v) => v <= target));
  if (cp >= 0) {
    for (const part of checkpoints.get(cp)!) {
      const file = await asyncBufferFromFile(join(logDir(tablePath), part));
      const rows = (await parquetReadObjects({ file, compressors })) as Record<string, unknown>[];
      for (const row of rows) b.apply(checkpointAction(row));
    }
  }
  return finish(tablePath, b, commits, cp + 1, target);
}

/**
 * The table state at `version` (latest by default) from an earlier snapshot of the same table: only the
 * commits after it are read. What a long-lived writer uses instead of reading the whole log each time.
 */
export async function updateSnapshot(prev: Snapshot, version?: number): Promise<Snapshot> {
  const { commits, checkpoints } = listLog(prev.tablePath);
  const latest = Math.max(-1, ...commits.keys(), ...checkpoints.keys());
  const target = version ?? latest;
  if (target === prev.version) return prev;
  if (target < prev.version || [...Array(target - prev.version).keys()].some((i) => !commits.has(prev.version + 1 + i))) {
    return readSnapshot(prev.tablePath, target);
  }
  return finish(prev.tablePath, new SnapshotBuilder(prev), commits, prev.version + 1, target);
}

/** The snapshot after applying `actions` as version `version` (a commit this process just wrote). */
export function applyCommit(prev: Snapshot | undefined, tablePath: string, version: number, actions: readonly Action[]): Snapshot {
  const b = new SnapshotBuilder(prev);
  for (const a of actions) b.apply(a);
  return built(tablePath, b, version);
}

function finish(tablePath: string, b: SnapshotBuilder, commits: Map<number, string>, from: number, target: number): Snapshot {
  for (let v = from; v <= target; v++) {
    const name = commits.get(v);
    if (!name) throw new DeltaError('CORRUPT_LOG', `${tablePath}: commit ${v} is missing from _delta_log`, `_delta_log/${String(v).padStart(20, '0')}.json`);
    const lines = readFileSync(join(logDir(tablePath), name), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      try {
        b.apply(JSON.parse(line) as Action);
      } catch (err) {
        throw new DeltaError('CORRUPT_LOG', `${tablePath}: _delta_log/${name} line ${i + 1}: ${(err as Error).message}`, `_delta_log/${name}`);
      }
    });
  }
  return built(tablePath, b, target);
}

function built(tablePath: string, b: SnapshotBuilder, target: number): Snapshot {
  if (!b.protocol || !b.metadata) throw new DeltaError('CORRUPT_LOG', `${tablePath}: no protocol or metaData action up to version ${target}`, '_delta_log');
  checkProtocol(b.protocol, tablePath);
  for (const [path, add] of b.files) {
    if (add.deletionVector) throw new DeltaError('UNSUPPORTED_PROTOCOL', `${tablePath}: file ${path} has a deletion vector, which this reader does not support`, path);
  }
  return {
    tablePath,
    version: target,
    protocol: b.protocol,
    metadata: b.metadata,
    schema: parseSchemaString(b.metadata.schemaString, `${tablePath} metaData`),
    files: b.files,
    appVersions: b.appVersions,
  };
}

/** Latest committed version, or -1 where there is no table yet. */
export function latestVersion(tablePath: string): number {
  if (!existsSync(logDir(tablePath))) return -1;
  const { commits, checkpoints } = listLog(tablePath);
  return Math.max(-1, ...commits.keys(), ...checkpoints.keys());
}
