import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { SourceError } from './errors.js';
import { sqlString } from './sql.js';

const PROJECT_ROOT = resolve(
  fileURLToPath(new URL('.', import.meta.url)),
  '..',
  '..',
  ...(import.meta.url.includes('/dist/') ? ['..'] : []),
);

/**
 * The DuckDB `delta` extension file. DuckDB downloads extensions at run time, which fails without internet
 * access; the project installs the PyPI wheel `duckdb-extension-delta` (same version as DuckDB) into .venv
 * and loads the file by path. LUTFLOW_DUCKDB_DELTA_EXTENSION names another file.
 */
export function findDeltaExtension(engine: string, env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.LUTFLOW_DUCKDB_DELTA_EXTENSION;
  if (explicit) {
    if (!existsSync(explicit))
      throw new SourceError('EXTENSION_MISSING', `LUTFLOW_DUCKDB_DELTA_EXTENSION=${explicit}: no such file`, 'LUTFLOW_DUCKDB_DELTA_EXTENSION');
    return explicit;
  }
  const venvLib = join(PROJECT_ROOT, '.venv', 'lib');
  if (existsSync(venvLib))
    for (const py of readdirSync(venvLib)) {
      const file = join(venvLib, py, 'site-packages', 'duckdb_extension_delta', 'extensions', engine, 'delta.duckdb_extension');
      if (existsSync(file)) return file;
    }
  throw new SourceError(
    'EXTENSION_MISSING',
    `the DuckDB delta extension for DuckDB ${engine} is not installed: run 'bash scripts/setup.sh' (installs the ` +
      `duckdb-extension-delta wheel matching DuckDB ${engine.slice(1)} into .venv) or set LUTFLOW_DUCKDB_DELTA_EXTENSION`,
    'LUTFLOW_DUCKDB_DELTA_EXTENSION',
  );
}

/** An in-memory DuckDB with the delta extension loaded (DuckDB itself loaded when first used). */
export async function openDuckDbWithDelta(): Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> {
  const duckdb = await import('@duckdb/node-api');
  const file = findDeltaExtension(duckdb.version());
  const instance = await duckdb.DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
  const connection = await instance.connect();
  try {
    await connection.run(`LOAD ${sqlString(file)}`);
  } catch (err) {
    connection.closeSync();
    instance.closeSync();
    throw new SourceError('EXTENSION_MISSING', `${file}: DuckDB ${duckdb.version()} could not load it: ${(err as Error).message}`);
  }
  return { instance, connection };
}

/** A Delta table's latest version, from its log's commit files (through DuckDB, so any path DuckDB reads). */
export async function deltaTableVersion(connection: DuckDBConnection, path: string): Promise<number> {
  const log = `${path.replace(/\/+$/, '')}/_delta_log/*.json`;
  const reader = await connection.runAndReadAll(
    `SELECT max(CAST(regexp_extract(file, '(\\d{20})\\.json$', 1) AS BIGINT)) AS v FROM glob(${sqlString(log)})`,
  );
  const v = reader.getRows()[0]?.[0];
  if (v === null || v === undefined)
    throw new SourceError('NOT_FOUND', `${path}: not a Delta table (no commits in _delta_log)`, path);
  return Number(v);
}
