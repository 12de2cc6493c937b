import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendToDeltaTable, DeltaError, field, optimizeDeltaTable, readDeltaTable, readSnapshot, type DeltaSchema } from '../../delta/index.js';
import { cli, python, tempDir } from '../helpers/index.js';

const REF = 'test/delta/deltalake_ref.py';
const COLUMNS = [['id', 'string'], ['n', 'long'], ['i', 'integer'], ['x', 'double'], ['ok', 'boolean'], ['t', 'timestamp']] as const;
const SCHEMA: DeltaSchema = { type: 'struct', fields: COLUMNS.map(([n, t]) => field(n, t)) };

const rows = (from: number, count: number) => Array.from({ length: count }, (_, k) => {
  const j = from + k;
  return {
    id: `run-${j}`, n: j % 7 === 0 ? null : 9_007_199_254_740_000 + j, i: j - 50, x: j % 5 === 0 ? null : j / 3,
    ok: j % 3 === 0 ? null : j % 2 === 0, t: j % 11 === 0 ? null : `2026-10-0${1 + (j % 9)}T0${j % 10}:15:30.${String(123456 + j).slice(-6)}Z`,
  };
});

const byId = (a: { id: unknown }, b: { id: unknown }) => String(a.id).localeCompare(String(b.id));

function pythonRead(table: string): { version: number; rows: Record<string, unknown>[] } {
  return JSON.parse(python([REF, 'read', table]));
}

describe('Delta tables against the reference implementation (Python deltalake)', () => {
  it('reads a table deltalake wrote, through its checkpoint and the commits after it', async () => {
    const dir = tempDir();
    const table = join(dir, 't');
    const spec = { columns: COLUMNS, batches: [rows(0, 30), rows(30, 30), rows(60, 5)], checkpoint: true, after_checkpoint: [rows(65, 20)] };
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
    python([REF, 'write', table, join(dir, 'spec.json')]);
    expect(readdirSync(join(table, '_delta_log')).some((f) => f.endsWith('.checkpoint.parquet'))).toBe(true);

    const ours = await readDeltaTable(table);
    const theirs = pythonRead(table);
    expect(ours.version).toBe(theirs.version);
    expect(ours.version).toBe(3);
    expect(ours.rows.length).toBe(85);
    expect([...ours.rows].sort(byId)).toEqual([...theirs.rows].sort(byId).map((r) => ({ ...r, t: r.t === null ? null : String(r.t).replace(/(\.\d{3})000Z$/, '$1Z').replace(/:(\d\d)Z$/, ':$1.000Z') })));
    expect([...ours.rows].sort(byId)).toEqual(rows(0, 85).sort(byId).map((r) => ({ ...r })));

    const v1 = await readDeltaTable(table, { version: 1 });
    expect(v1.rows.length).toBe(60);
  });

  it('writes a table deltalake reads back identically', async () => {
    const table = join(tempDir(), 'ours');
    const first = await appendToDeltaTable(table, rows(0, 40), { schema: SCHEMA, tableName: 'x' });
    const second = await appendToDeltaTable(table, rows(40, 25));
    expect([first.version, second.version]).toEqual([0, 1]);
    const theirs = pythonRead(table);
    expect(theirs.version).toBe(1);
    const micros = (t: unknown) => (t === null ? null : String(t).replace(/Z$/, '').padEnd(26, '0'));
    const norm = (r: Record<string, unknown>) => ({ ...r, t: micros(r.t) });
    expect(theirs.rows.map(norm).sort(byId)).toEqual(rows(0, 65).map(norm).sort(byId));
  });

  it('skips an idempotent append that was already committed', async () => {
    const table = join(tempDir(), 'idem');
    await appendToDeltaTable(table, rows(0, 3), { schema: SCHEMA, appId: 'sink', appVersion: 1 });
    const again = await appendToDeltaTable(table, rows(0, 3), { appId: 'sink', appVersion: 1 });
    expect(again.skipped).toBe(true);
    expect((await readDeltaTable(table)).rows).toHaveLength(3);
    expect((await readSnapshot(table)).appVersions.get('sink')).toBe(1);
  });

  it('lets concurrent writers both land, each in its own version', async () => {
    const table = join(tempDir(), 'race');
    await appendToDeltaTable(table, rows(0, 1), { schema: SCHEMA });
    const results = await Promise.all([appendToDeltaTable(table, rows(1, 5)), appendToDeltaTable(table, rows(6, 5)), appendToDeltaTable(table, rows(11, 5))]);
    expect(results.map((r) => r.version).sort()).toEqual([1, 2, 3]);
    expect((await readDeltaTable(table)).rows).toHaveLength(16);
    expect(pythonRead(table).rows).toHaveLength(16);
  });

  it('refuses bad rows, naming the row and column, and leaves the table as it was', async () => {
    const table = join(tempDir(), 'bad');
    await appendToDeltaTable(table, rows(0, 2), { schema: SCHEMA });
    await expect(appendToDeltaTable(table, [{ ...rows(2, 1)[0], i: 1.5 }])).rejects.toThrow(/row 0: column 'i' expects integer/);
    await expect(appendToDeltaTable(table, [{ ...rows(2, 1)[0], t: 'tomorrow' }])).rejects.toThrow(/column 't'/);
    await expect(appendToDeltaTable(table, [{ ...rows(2, 1)[0], extra: 1 }])).rejects.toThrow(/'extra' is not in the table schema/);
    await expect(appendToDeltaTable(table, rows(2, 1), { schema: { type: 'struct', fields: [field('id', 'string')] } })).rejects.toMatchObject({ code: 'SCHEMA_MISMATCH' });
    expect((await readDeltaTable(table)).version).toBe(0);
  });

  it('explains what is wrong with a broken table', async () => {
    await expect(readDeltaTable(tempDir())).rejects.toMatchObject({ code: 'NOT_A_TABLE' });
    const table = join(tempDir(), 't');
    await appendToDeltaTable(table, rows(0, 2), { schema: SCHEMA });
    await expect(readDeltaTable(table, { version: 4 })).rejects.toMatchObject({ code: 'VERSION_NOT_FOUND' });
    const broken = join(tempDir(), 'broken');
    cpSync(table, broken, { recursive: true });
    writeFileSync(join(broken, '_delta_log', '00000000000000000001.json'), '{"add": {"path": "x.parquet"\n');
    await expect(readDeltaTable(broken)).rejects.toThrow(/00000000000000000001\.json line 1/);
    const future = join(tempDir(), 'future');
    mkdirSync(join(future, '_delta_log'), { recursive: true });
    writeFileSync(join(future, '_delta_log', '00000000000000000000.json'), [
      JSON.stringify({ protocol: { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors'], writerFeatures: ['deletionVectors'] } }),
      JSON.stringify({ metaData: { id: 'x', format: { provider: 'parquet', options: {} }, schemaString: JSON.stringify(SCHEMA), partitionColumns: [], configuration: {} } }),
    ].join('\n'));
    const err = await readDeltaTable(future).catch((e) => e);
    expect(err).toBeInstanceOf(DeltaError);
    expect(err.message).toMatch(/deletionVectors/);
  });

  it('writes a checkpoint every 10 commits that deltalake reads, and reads only the commits after it', async () => {
    const table = join(tempDir(), 'cp');
    let snapshot;
    for (let i = 0; i < 25; i++) ({ snapshot } = await appendToDeltaTable(table, rows(i * 3, 3), { schema: SCHEMA, appId: 'sink', appVersion: i, snapshot }));
    const log = readdirSync(join(table, '_delta_log'));
    expect(log.filter((f) => f.endsWith('.checkpoint.parquet')).sort()).toEqual(['00000000000000000010.checkpoint.parquet', '00000000000000000020.checkpoint.parquet']);
    expect(JSON.parse(readFileSync(join(table, '_delta_log', '_last_checkpoint'), 'utf8'))).toMatchObject({ version: 20, numOfAddFiles: 21 });
    const theirs = pythonRead(table);
    expect(theirs.version).toBe(24);
    expect(theirs.rows.map((r) => r.id).sort()).toEqual(rows(0, 75).map((r) => r.id).sort());
    // Our reader starts from the checkpoint: removing the commits before it changes nothing.
    const trimmed = join(tempDir(), 'trimmed');
    cpSync(table, trimmed, { recursive: true });
    for (let v = 0; v < 20; v++) if (v !== 10) { const f = join(trimmed, '_delta_log', `${String(v).padStart(20, '0')}.json`); if (existsSync(f)) writeFileSync(f, 'not json'); }
    const ours = await readDeltaTable(trimmed);
    expect(ours.rows.map((r) => r.id).sort()).toEqual(rows(0, 75).map((r) => r.id).sort());
    expect(ours.snapshot.appVersions.get('sink')).toBe(24);
    expect(pythonRead(trimmed).rows).toHaveLength(75);
    expect((await readDeltaTable(table, { version: 15 })).rows).toHaveLength(48);
  });

  it('compacts small files into one without changing rows, app versions or what deltalake reads', async () => {
    const table = join(tempDir(), 'opt');
    for (let i = 0; i < 12; i++) await appendToDeltaTable(table, rows(i * 5, 5), { schema: SCHEMA, appId: `p${i % 3}`, appVersion: i });
    const before = await readDeltaTable(table);
    const result = await optimizeDeltaTable(table);
    expect(result).toMatchObject({ filesRemoved: 12, filesAdded: 1, rows: 60, skipped: false, version: 12 });
    const after = await readDeltaTable(table);
    expect(after.snapshot.files.size).toBe(1);
    expect([...after.rows].sort(byId)).toEqual([...before.rows].sort(byId));
    expect(Object.fromEntries(after.snapshot.appVersions)).toEqual({ p0: 9, p1: 10, p2: 11 });
    expect(pythonRead(table).rows.map((r) => r.id).sort()).toEqual(rows(0, 60).map((r) => r.id).sort());
    expect((await optimizeDeltaTable(table)).skipped).toBe(true);
    await appendToDeltaTable(table, rows(60, 5));
    expect((await readDeltaTable(table)).rows).toHaveLength(65);
  });

  it('commits several apps\' versions at once and refuses a range another writer already committed', async () => {
    const table = join(tempDir(), 'txns');
    await appendToDeltaTable(table, rows(0, 2), { schema: SCHEMA, txns: [{ appId: 'g/0', version: 5 }, { appId: 'g/1', version: 7 }] });
    expect(Object.fromEntries((await readSnapshot(table)).appVersions)).toEqual({ 'g/0': 5, 'g/1': 7 });
    await expect(appendToDeltaTable(table, rows(2, 2), { txns: [{ appId: 'g/0', version: 9 }, { appId: 'g/1', version: 7 }] })).rejects.toMatchObject({ code: 'TXN_CONFLICT', field: 'g/1' });
    expect((await readDeltaTable(table)).rows).toHaveLength(2);
  });

  it('stores any timestamp the contracts accept, to the microsecond', async () => {
    const table = join(tempDir(), 'ts');
    await appendToDeltaTable(table, [{ ...rows(0, 1)[0], t: '2026-10-01T10:00:00.1234567891Z' }], { schema: SCHEMA });
    expect((await readDeltaTable(table)).rows[0].t).toBe('2026-10-01T10:00:00.123456Z');
  });

  it('lutflow delta: info, optimize and checkpoint on a table, JSON for scripts', async () => {
    const table = join(tempDir(), 'cli');
    for (let i = 0; i < 4; i++) await appendToDeltaTable(table, rows(i * 5, 5), { schema: SCHEMA, appId: 'sink/0', appVersion: i });
    const info = JSON.parse(cli(['delta', 'info', table, '--json']).stdout);
    expect(info).toMatchObject({ version: 3, files: 4, small_files: 4, rows: 20, last_checkpoint: null, app_versions: { 'sink/0': 3 } });
    expect(JSON.parse(cli(['delta', 'optimize', table, '--json']).stdout)).toMatchObject({ version: 4, files_removed: 4, files_added: 1, rows: 20 });
    expect(cli(['delta', 'checkpoint', table]).stdout).toMatch(/checkpoint written at version 4 \(1 files\)/);
    expect(JSON.parse(cli(['delta', 'info', table, '--json']).stdout)).toMatchObject({ files: 1, rows: 20, last_checkpoint: 4 });
    expect(pythonRead(table).rows).toHaveLength(20);
    const bad = cli(['delta', 'vacuum', table]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/expected info, optimize or checkpoint, got 'vacuum'/);
  });
});

