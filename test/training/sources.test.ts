import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DBSQLClient } from '@databricks/sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../pricing/index.js';
import type { RunRecord } from '../../stream/index.js';
import { appendRunRecords, readRunRecords, trainPcpo } from '../../training/index.js';
import {
  DatabricksSource,
  DeltaSource,
  DuckDbSource,
  openSource,
  SourceError,
  type DatabricksOptions,
  type TrainingDataSource,
} from '../../training/sources/index.js';
import { ROOT, TSX, tempDir } from '../helpers/index.js';
import { startDatabricksSqlServer, type DatabricksSqlServer } from './databricks/server.js';
import { PROTOCOL } from './databricks/tcli.js';

const SAMPLE = join(ROOT, 'data/sample/pcpo_runs');
const TOKEN = 'dapi-local-test-token';
let sample: RunRecord[];
/** The sample in two commits (v0: the first 2,500 runs, v1: the rest and a run launched at a whole microsecond). */
let twoVersions: string;
let micro: RunRecord;
let server: DatabricksSqlServer;
let columnServer: DatabricksSqlServer;

const tables = () => ({ 'main.lutflow.pcpo_runs': SAMPLE, 'main.lutflow.two_versions': twoVersions });

beforeAll(async () => {
  sample = (await readRunRecords(SAMPLE)).records;
  twoVersions = join(tempDir('lutflow-sources-'), 'pcpo_runs');
  micro = { ...sample[10], run_id: 'run-micro', launched_at: '2026-10-20T08:15:30.123456Z', outcome: { ...sample[10].outcome!, ended_at: '2026-10-20T09:15:30.000001Z' } };
  await appendRunRecords(twoVersions, sample.slice(0, 2500));
  await appendRunRecords(twoVersions, [...sample.slice(2500), micro]);
  server = await startDatabricksSqlServer({ tables: tables(), token: TOKEN });
  columnServer = await startDatabricksSqlServer({ tables: tables(), token: TOKEN, protocolVersion: PROTOCOL.SPARK_V4 });
});

afterAll(async () => {
  await server?.close();
  await columnServer?.close();
});

const databricks = (o: Partial<DatabricksOptions> = {}, s = server) =>
  new DatabricksSource({ host: s.host, port: s.port, path: s.path, token: TOKEN, table: 'main.lutflow.pcpo_runs', caCert: s.ca, retryDelayMs: 20, ...o });

async function using<T>(source: TrainingDataSource, f: (s: TrainingDataSource) => Promise<T>): Promise<T> {
  try {
    return await f(source);
  } finally {
    await source.close();
  }
}

describe('training-data sources', () => {
  it('give the local Delta reader\'s records, in canonical order, from DuckDB and through Databricks SQL', async () => {
    const local = await using(new DeltaSource(SAMPLE), (s) => s.pull());
    expect(local.version).toBe(0);
    expect(local.records).toEqual(sample);
    const duck = await using(new DuckDbSource(SAMPLE), (s) => s.pull());
    expect(duck).toEqual(local);
    const pages = server.stats.pages;
    const remote = await using(databricks({ pageRows: 400 }), (s) => s.pull());
    expect(remote).toEqual(local);
    // 3,000 rows at 400 a page: the driver paged through them (direct results and FetchResults).
    expect(server.stats.pages - pages).toBeGreaterThanOrEqual(8);
  });

  it('keep timestamps to the microsecond and nulls as absent fields, in Arrow and column-based results', async () => {
    const api = sample.find((r) => r.plan.kind === 'api')!;
    for (const s of [server, columnServer]) {
      const pulled = await using(databricks({ table: 'main.lutflow.two_versions' }, s), (src) => src.pull());
      expect(pulled.version).toBe(1);
      expect(pulled.records.find((r) => r.run_id === 'run-micro')!.launched_at).toBe('2026-10-20T08:15:30.123456Z');
      // API runs have no GPU: the columns are NULL, and the records leave the fields out as the contract says.
      const back = pulled.records.find((r) => r.run_id === api.run_id)!;
      expect(back).toEqual(api);
      expect(back.plan.gpu_type).toBeUndefined();
    }
  });

  it('hand the unpatched driver typed columns: integers, doubles, booleans, strings, timestamps, dates, nulls', async () => {
    for (const s of [server, columnServer]) {
      const client = new DBSQLClient({ logger: { log: () => {} } });
      await client.connect({ host: s.host, port: s.port, path: s.path, token: TOKEN, customCaCert: s.ca, telemetryEnabled: false });
      const session = await client.openSession();
      const op = await session.executeStatement(
        `SELECT CAST(7 AS TINYINT) AS t, CAST(-300 AS SMALLINT) AS sm, 2147483647 AS i, CAST(9007199254740991 AS BIGINT) AS b,
                CAST(0.5 AS DOUBLE) AS d, true AS yes, 'héllo' AS s, TIMESTAMPTZ '2026-11-01 12:00:00.123456+00' AS ts,
                unix_micros(TIMESTAMPTZ '2026-11-01 12:00:00.123456+00') AS us, DATE '2026-11-01' AS day,
                CAST(NULL AS INTEGER) AS nothing, CAST(NULL AS VARCHAR) AS no_text`,
      );
      const [row] = (await op.fetchAll()) as Record<string, unknown>[];
      await op.close();
      await session.close();
      await client.close();
      expect(row).toMatchObject({ t: 7, sm: -300, i: 2147483647, b: 9007199254740991, d: 0.5, yes: true, s: 'héllo', us: 1793534400123456, nothing: null, no_text: null });
      // A driver Date holds milliseconds (Arrow) or the warehouse's text (column-based): hence unix_micros in pulls.
      const ts = row.ts instanceof Date ? row.ts.toISOString() : String(row.ts);
      expect(ts).toMatch(/^2026-11-01[T ]12:00:00\.123/);
      expect(String(row.day instanceof Date ? row.day.toISOString() : row.day)).toMatch(/^2026-11-01/);
    }
  });

  it('pull only the runs added since a version, on every engine', async () => {
    const added = [...sample.slice(2500), micro].map((r) => r.run_id).sort();
    for (const source of [new DeltaSource(twoVersions), new DuckDbSource(twoVersions), databricks({ table: 'main.lutflow.two_versions' })]) {
      const pulled = await using(source, (s) => s.pull({ sinceVersion: 0 }));
      expect(pulled.version).toBe(1);
      expect(pulled.since).toBe(0);
      expect(pulled.records.map((r) => r.run_id).sort()).toEqual(added);
      expect(await using(source, (s) => s.count(0))).toBe(2500);
    }
  });

  it('refuse a wrong token, an unknown table and an untrusted certificate with typed errors', async () => {
    const before = server.stats.unauthorized;
    const err = async (s: TrainingDataSource) => using(s, (x) => x.pull()).then(() => null, (e: unknown) => e as SourceError);
    expect(await err(databricks({ token: 'dapi-wrong' }))).toMatchObject({ code: 'AUTH', field: 'DATABRICKS_TOKEN' });
    expect(server.stats.unauthorized).toBeGreaterThan(before);
    expect(await err(databricks({ table: 'main.lutflow.missing' }))).toMatchObject({ code: 'NOT_FOUND' });
    const tls = await err(databricks({ caCert: undefined, attempts: 1 }));
    expect(tls).toMatchObject({ code: 'CONNECTION' });
    expect(tls!.message).toMatch(/certificate/);
    expect(() => databricks({ table: 'main.x; DROP TABLE y' })).toThrow(SourceError);
    expect(() => openSource('databricks:main.lutflow.pcpo_runs', { env: {} })).toThrow(/DATABRICKS_HOST, DATABRICKS_HTTP_PATH, DATABRICKS_TOKEN/);
  });

  it('pull again, whole, when the connection drops mid-fetch; give up with a typed error when it keeps dropping', async () => {
    const log: string[] = [];
    server.faults.dropFetches = 1;
    const pulled = await using(databricks({ pageRows: 500, onLog: (l) => log.push(l) }), (s) => s.pull());
    expect(pulled.records).toEqual(sample);
    expect(log.join('\n')).toMatch(/attempt 1 of 3 failed.*pulling again/);
    server.faults.dropFetches = 100;
    const e = await using(databricks({ pageRows: 500, attempts: 2 }), (s) => s.pull()).catch((x: unknown) => x as SourceError);
    server.faults.dropFetches = 0;
    expect(e).toMatchObject({ code: 'CONNECTION' });
  });
});

describe('acceptance: the unpatched driver through the local warehouse', () => {
  it('trains the same trees from databricks: as from the local Delta folder (lutflow train, card with source and version)', async () => {
    const dir = tempDir('lutflow-sources-train-');
    const env = { DATABRICKS_HOST: `${server.host}:${server.port}`, DATABRICKS_HTTP_PATH: server.path, DATABRICKS_TOKEN: TOKEN, LUTFLOW_DATABRICKS_CA_CERT: join(dir, 'ca.pem') };
    writeFileSync(env.LUTFLOW_DATABRICKS_CA_CERT, server.ca);
    const args = ['--rounds', '40', '--folds', '2'];
    const remote = await cliAsync(['train', '--data', 'databricks:main.lutflow.pcpo_runs', '--out', join(dir, 'remote'), ...args], env);
    expect(remote.code, remote.stderr).toBe(0);
    const local = trainPcpo({ records: sample, out: join(dir, 'local'), catalog: builtinCatalog(), source: SAMPLE, deltaVersion: 0, rounds: 40, folds: 2 });
    const card = JSON.parse(readFileSync(join(dir, 'remote', 'model-card.json'), 'utf8'));
    expect(card.data).toMatchObject({ source: 'databricks:main.lutflow.pcpo_runs', delta_version: 0, rows: 3000 });
    for (const t of Object.values(local.card.targets)) {
      for (const file of [t!.file, t!.unseen_hardware?.file].filter((f): f is string => !!f)) {
        const trees = (d: string) => JSON.parse(readFileSync(join(dir, d, file), 'utf8')).learner.gradient_booster.model.trees;
        expect(trees('remote').length).toBeGreaterThan(0);
        expect(trees('remote')).toEqual(trees('local'));
      }
    }
  });
});

/** The CLI in a child process that does not block this one (the warehouse it talks to runs here). */
async function cliAsync(args: string[], env: Record<string, string>) {
  const { execFile } = await import('node:child_process');
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, ['--import', TSX, join(ROOT, 'cli/main.ts'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}
