import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../pricing/index.js';
import type { EvalReport, KindReport } from '../../training/pcpo/evaluate.js';
import { appendRunRecords, DatabricksSource, judge, pullRuns, readRunRecords, trainPcpo, VersionRegistry, DEFAULT_TOLERANCES } from '../../training/index.js';
import { ROOT, tempDir } from '../helpers/index.js';
import { startDatabricksSqlServer, type DatabricksSqlServer } from './databricks/server.js';

const kind = (median_ape: number, mape: number, p90_coverage: number, rows = 200): KindReport =>
  ({ target: 'gpu_seconds', rows, median_ape, mape, p90_coverage, p90_reserve_ratio: 1.5, baselines: {} }) as KindReport;
const report = (sh?: KindReport, api?: KindReport): EvalReport => ({ rows: 400, model_version: 'x', by_kind: { ...(sh ? { self_hosted: sh } : {}), ...(api ? { api } : {}) } });

describe('promotion gate', () => {
  it('lets noise through, stops a regression, judges coverage by its shortfall below 90 %', () => {
    const current = report(kind(10, 20, 91), kind(8, 12, 90));
    expect(judge(report(kind(10.9, 20.9, 89), kind(8.5, 13, 88)), current).promote).toBe(true);
    const worse = judge(report(kind(11.2, 20, 91), kind(8, 12, 90)), current);
    expect(worse.promote).toBe(false);
    expect(worse.reasons[0]).toMatch(/self_hosted: median APE 11.2 % against the current model's 10 % \(allowed up to 11.00 %\)/);
    // 5 % of a large error is more than 1 point: 42 against 40 passes, 42.1 does not.
    expect(judge(report(kind(42, 50, 91)), report(kind(40, 50, 91))).promote).toBe(true);
    expect(judge(report(kind(42.1, 50, 91)), report(kind(40, 50, 91))).promote).toBe(false);
    // Over-covering is no virtue: 92 % is not worse than 99 %; 86 % is worse than 90 % by more than 3 points.
    expect(judge(report(kind(10, 20, 92)), report(kind(10, 20, 99))).promote).toBe(true);
    expect(judge(report(kind(10, 20, 86.9)), report(kind(10, 20, 90))).reasons.join()).toMatch(/P90 coverage 86.9 %/);
    // A candidate that cannot predict a kind the current model predicts is worse.
    expect(judge(report(kind(9, 19, 91)), current).reasons.join()).toMatch(/api: the candidate predicts none/);
  });

  it('promotes the first candidate, and refuses to judge on too few held-out runs', () => {
    expect(judge(report(kind(30, 40, 80)), null)).toMatchObject({ promote: true, reasons: [expect.stringMatching(/first candidate/)] });
    const few = judge(report(kind(5, 5, 95, 12)), report(kind(50, 50, 50, 12)));
    expect(few.promote).toBe(false);
    expect(few.reasons.join()).toMatch(/only 12 held-out runs .*not judged/);
    expect(DEFAULT_TOLERANCES.min_rows).toBe(30);
  });
});

describe('version registry', () => {
  let model: string;
  beforeAll(async () => {
    const { records } = await readRunRecords(join(ROOT, 'data/sample/pcpo_runs'));
    model = join(tempDir('lutflow-registry-'), 'model');
    trainPcpo({ records, out: model, catalog: builtinCatalog(), source: 'sample', rounds: 10, folds: 2 });
  });

  /** Copies of one model under new version names (the card names the version). */
  function versions(reg: VersionRegistry, names: string[]): void {
    for (const name of names) {
      const staging = join(reg.dir, `staging-${name}`);
      cpSync(model, staging, { recursive: true });
      const card = JSON.parse(readFileSync(join(staging, 'model-card.json'), 'utf8'));
      writeFileSync(join(staging, 'model-card.json'), JSON.stringify({ ...card, model_version: name, created_at: `2026-11-0${names.indexOf(name) + 1}T00:00:00Z` }));
      reg.add(staging);
    }
  }

  it('swaps the pointer whole, refuses a corrupt version, rolls back along the promotions, prunes what is not needed', () => {
    const reg = new VersionRegistry(join(tempDir('lutflow-registry-'), 'models')).init();
    versions(reg, ['v1', 'v2', 'v3', 'v4']);
    reg.promote('v1', 'first');
    reg.promote('v2', 'better');
    writeFileSync(join(reg.versionDir('v3'), 'gpu_seconds.json'), '{"learner": tru');
    expect(() => reg.promote('v3', 'corrupt')).toThrow(/MODEL_MALFORMED|not valid JSON/);
    expect(reg.current()).toBe('v2');
    expect(() => reg.promote('../v1', 'escape')).toThrow(/not a model version name/);
    reg.promote('v4', 'best');
    expect(reg.chain()).toEqual(['v1', 'v2', 'v4']);
    expect(reg.rollback().version).toBe('v2');
    expect(reg.rollback().version).toBe('v1');
    expect(() => reg.rollback()).toThrow(/no earlier promoted version/);
    expect(reg.current()).toBe('v1');
    // v3 (never promoted) and v4 (rolled back past) may go; v1 serves.
    expect(reg.prune(0).sort()).toEqual(['v2', 'v3', 'v4']);
    expect(reg.list().map((v) => v.version)).toEqual(['v1']);
  });

  it('lets one writer in at a time', () => {
    const reg = new VersionRegistry(join(tempDir('lutflow-registry-'), 'models')).init();
    const unlock = reg.lock();
    expect(() => reg.lock()).toThrow(/another retrain \(pid \d+\) holds the registry/);
    unlock();
    reg.lock()();
  });
});

describe('incremental pulls into the local mirror', () => {
  let server: DatabricksSqlServer;
  let table: string;
  afterAll(async () => server?.close());

  it('pull the whole table first, then only the runs added since, and record both in the pull info', async () => {
    const { records } = await readRunRecords(join(ROOT, 'data/sample/pcpo_runs'));
    const dir = tempDir('lutflow-mirror-');
    table = join(dir, 'pcpo_runs');
    await appendRunRecords(table, records.slice(0, 2000));
    server = await startDatabricksSqlServer({ tables: { 'main.lutflow.runs': table }, token: 'dapi-mirror-token' });
    const source = new DatabricksSource({ host: server.host, port: server.port, path: server.path, token: 'dapi-mirror-token', table: 'main.lutflow.runs', caCert: server.ca });
    try {
      const first = await pullRuns(source, join(dir, 'mirror'));
      expect(first.pull).toMatchObject({ mode: 'full', new_rows: 2000, reason: 'first pull' });
      await appendRunRecords(table, records.slice(2000));
      const second = await pullRuns(source, join(dir, 'mirror'));
      expect(second.version).toBe(1);
      expect(second.pull).toEqual({ mode: 'incremental', since_version: 0, new_rows: 1000 });
      expect(second.records).toEqual(records);
      const third = await pullRuns(source, join(dir, 'mirror'));
      expect(third.pull).toEqual({ mode: 'incremental', since_version: 1, new_rows: 0 });
    } finally {
      await source.close();
    }
  });
});
