import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { optimizeDeltaTable, readSnapshot, writeCheckpoint } from '../../delta/index.js';
import { parse, UsageError, type Command } from '../command.js';
import { count } from '../worker.js';

const command: Command = {
  summary: 'inspect, checkpoint and compact a Delta table',
  usage: `usage: lutflow delta info TABLE [--json]
       lutflow delta optimize TABLE [--small-file-mb N] [--target-rows N] [--json]
       lutflow delta checkpoint TABLE

  info        version, live files (and how many are small), rows, last checkpoint, app versions (txn)
  optimize    compaction: rewrites files under --small-file-mb (16) into files of up to --target-rows
              (1,000,000) rows in one commit (dataChange false); rows and app versions are unchanged
  checkpoint  writes a checkpoint of the latest version now (appends write one every 10 commits)`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      json: { type: 'boolean' },
      'small-file-mb': { type: 'string' },
      'target-rows': { type: 'string' },
    });
    const [action, table] = positionals;
    if (!action || !['info', 'optimize', 'checkpoint'].includes(action))
      throw new UsageError(`expected info, optimize or checkpoint, got '${action ?? ''}'`);
    if (!table) throw new UsageError('TABLE is required');
    if (!existsSync(join(table, '_delta_log'))) throw new UsageError(`${table}: not a Delta table (no _delta_log)`);
    if (action === 'checkpoint') {
      const s = await readSnapshot(table);
      writeCheckpoint(s);
      io.out(`checkpoint written at version ${s.version} (${s.files.size} files)`);
      return;
    }
    if (action === 'optimize') {
      const r = await optimizeDeltaTable(table, {
        smallFileBytes: count(values['small-file-mb'], '--small-file-mb', 16) << 20,
        targetRows: count(values['target-rows'], '--target-rows', 1_000_000),
      });
      const out = {
        version: r.version,
        files_removed: r.filesRemoved,
        files_added: r.filesAdded,
        rows: r.rows,
        skipped: r.skipped,
      };
      io.out(
        values.json
          ? JSON.stringify(out)
          : r.skipped
            ? `nothing to compact (version ${r.version})`
            : `compacted ${r.filesRemoved} files (${r.rows} rows) into ${r.filesAdded} at version ${r.version}`,
      );
      return;
    }
    const s = await readSnapshot(table);
    const files = [...s.files.values()];
    const rows = files.reduce((a, f) => a + (f.stats ? Number(JSON.parse(f.stats).numRecords ?? 0) : 0), 0);
    const info = {
      table,
      version: s.version,
      files: files.length,
      small_files: files.filter((f) => f.size < 16 << 20).length,
      bytes: files.reduce((a, f) => a + f.size, 0),
      rows,
      columns: s.schema.fields.length,
      last_checkpoint: lastCheckpoint(table),
      app_versions: Object.fromEntries(s.appVersions),
    };
    if (values.json) {
      io.out(JSON.stringify(info));
      return;
    }
    io.out(
      [
        `table       ${info.table}`,
        `version     ${info.version}`,
        `files       ${info.files} (${info.small_files} under 16 MiB; lutflow delta optimize compacts them)`,
        `rows        ${info.rows}`,
        `bytes       ${info.bytes}`,
        `columns     ${info.columns}`,
        `checkpoint  ${info.last_checkpoint ?? 'none'}`,
        ...Object.entries(info.app_versions).map(([k, v]) => `txn         ${k} = ${v}`),
      ].join('\n'),
    );
  },
};
export default command;

function lastCheckpoint(table: string): number | null {
  const f = join(table, '_delta_log', '_last_checkpoint');
  return existsSync(f) ? Number(JSON.parse(readFileSync(f, 'utf8')).version) : null;
}
