import { randomUUID } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { logDir, type Snapshot } from './log.js';

/** Commits between checkpoints unless the table says otherwise (`delta.checkpointInterval`), as in Spark. */
export const DEFAULT_CHECKPOINT_INTERVAL = 10;

type Element = Record<string, unknown> & { name: string };

const str = (name: string, required = false): Element => ({
  name,
  type: 'BYTE_ARRAY',
  converted_type: 'UTF8',
  logical_type: { type: 'STRING' },
  repetition_type: required ? 'REQUIRED' : 'OPTIONAL',
});
const long = (name: string): Element => ({ name, type: 'INT64', repetition_type: 'OPTIONAL' });
const int = (name: string): Element => ({ name, type: 'INT32', repetition_type: 'OPTIONAL' });
const bool = (name: string): Element => ({ name, type: 'BOOLEAN', repetition_type: 'OPTIONAL' });
const struct = (name: string, children: Element[][]): Element[] => [
  { name, repetition_type: 'OPTIONAL', num_children: children.length },
  ...children.flat(),
];
const map = (name: string): Element[] => [
  { name, repetition_type: 'OPTIONAL', num_children: 1, converted_type: 'MAP', logical_type: { type: 'MAP' } },
  { name: 'key_value', repetition_type: 'REPEATED', num_children: 2 },
  str('key', true),
  str('value'),
];
const list = (name: string): Element[] => [
  { name, repetition_type: 'OPTIONAL', num_children: 1, converted_type: 'LIST', logical_type: { type: 'LIST' } },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  str('element'),
];

/** The checkpoint schema of the Delta protocol: one nullable struct column per action kind. */
const COLUMNS: [string, Element[]][] = [
  ['txn', struct('txn', [[str('appId')], [long('version')], [long('lastUpdated')]])],
  [
    'add',
    struct('add', [
      [str('path')],
      map('partitionValues'),
      [long('size')],
      [long('modificationTime')],
      [bool('dataChange')],
      [str('stats')],
      map('tags'),
    ]),
  ],
  ['remove', struct('remove', [[str('path')], [long('deletionTimestamp')], [bool('dataChange')]])],
  [
    'metaData',
    struct('metaData', [
      [str('id')],
      [str('name')],
      [str('description')],
      struct('format', [[str('provider')], map('options')]),
      [str('schemaString')],
      list('partitionColumns'),
      map('configuration'),
      [long('createdTime')],
    ]),
  ],
  [
    'protocol',
    struct('protocol', [
      [int('minReaderVersion')],
      [int('minWriterVersion')],
      list('readerFeatures'),
      list('writerFeatures'),
    ]),
  ],
];

const big = (n: number | null | undefined) => (n === null || n === undefined ? null : BigInt(n));

/**
 * Writes a classic single-file checkpoint of `snapshot` (protocol, metadata, app versions, live files) and
 * points `_last_checkpoint` at it, so readers start there instead of replaying every commit. Both files are
 * written under temporary names and renamed into place: a reader never sees half of one.
 */
export function writeCheckpoint(snapshot: Snapshot): void {
  const rows: Record<string, unknown>[] = [];
  const p = snapshot.protocol;
  rows.push({
    protocol: {
      minReaderVersion: p.minReaderVersion,
      minWriterVersion: p.minWriterVersion,
      readerFeatures: p.readerFeatures ?? null,
      writerFeatures: p.writerFeatures ?? null,
    },
  });
  const m = snapshot.metadata;
  rows.push({
    metaData: {
      id: m.id,
      name: m.name ?? null,
      description: m.description ?? null,
      format: { provider: m.format.provider, options: m.format.options ?? {} },
      schemaString: m.schemaString,
      partitionColumns: m.partitionColumns,
      configuration: m.configuration ?? {},
      createdTime: big(m.createdTime),
    },
  });
  for (const [appId, version] of snapshot.appVersions)
    rows.push({ txn: { appId, version: BigInt(version), lastUpdated: null } });
  for (const a of snapshot.files.values()) {
    rows.push({
      add: {
        path: a.path,
        partitionValues: a.partitionValues ?? {},
        size: big(a.size),
        modificationTime: big(a.modificationTime),
        dataChange: false,
        stats: a.stats ?? null,
        tags: a.tags ?? null,
      },
    });
  }
  const schema = [{ name: 'schema', num_children: COLUMNS.length }, ...COLUMNS.flatMap(([, els]) => els)];
  const buffer = parquetWriteBuffer({
    columnData: COLUMNS.map(([name]) => ({ name, data: rows.map((r) => r[name] ?? null) as never })),
    schema: schema as never,
    createdBy: 'lutflow (hyparquet-writer)',
  });
  const dir = logDir(snapshot.tablePath);
  const name = `${String(snapshot.version).padStart(20, '0')}.checkpoint.parquet`;
  const tmp = join(dir, `.tmp-${randomUUID()}.parquet`);
  writeFileSync(tmp, new Uint8Array(buffer));
  renameSync(tmp, join(dir, name));
  const last = join(dir, `.tmp-${randomUUID()}.json`);
  writeFileSync(
    last,
    JSON.stringify({
      version: snapshot.version,
      size: rows.length,
      sizeInBytes: buffer.byteLength,
      numOfAddFiles: snapshot.files.size,
    }),
  );
  renameSync(last, join(dir, '_last_checkpoint'));
}

export function checkpointInterval(snapshot: Snapshot): number {
  const n = Number(snapshot.metadata.configuration?.['delta.checkpointInterval']);
  return Number.isInteger(n) && n > 0 ? n : DEFAULT_CHECKPOINT_INTERVAL;
}
