import { latestVersion, readDeltaTable, readSnapshot } from '../../delta/index.js';
import { recordsFromRows, type PullOptions, type Pulled, type TrainingDataSource } from './source.js';

/** The default: a Delta table on the local file system, read by lutflow's own Delta reader. */
export class DeltaSource implements TrainingDataSource {
  readonly kind = 'delta';
  constructor(readonly name: string) {}

  async latestVersion(): Promise<number> {
    return latestVersion(this.name);
  }

  async count(version: number): Promise<number> {
    const snapshot = await readSnapshot(this.name, version);
    let rows = 0;
    for (const add of snapshot.files.values()) {
      const stats = add.stats ? (JSON.parse(add.stats) as { numRecords?: number }) : {};
      if (stats.numRecords === undefined) return (await readDeltaTable(this.name, { version, columns: ['run_id'] })).rows.length;
      rows += stats.numRecords;
    }
    return rows;
  }

  async pull(opts: PullOptions = {}): Promise<Pulled> {
    const { rows, version } = await readDeltaTable(this.name, { version: opts.version });
    let kept = rows;
    if (opts.sinceVersion !== undefined) {
      const before = await readDeltaTable(this.name, { version: opts.sinceVersion, columns: ['run_id'] });
      const old = new Set(before.rows.map((r) => r.run_id));
      kept = rows.filter((r) => !old.has(r.run_id));
    }
    opts.onProgress?.(kept.length);
    return { records: recordsFromRows(kept, `${this.name}@v${version}`), version, since: opts.sinceVersion ?? null };
  }

  async close(): Promise<void> {}
}
