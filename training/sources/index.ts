import { readFileSync } from 'node:fs';
import { DatabricksSource, databricksOptionsFromEnv, type DatabricksOptions } from './databricks-source.js';
import { DeltaSource } from './delta-source.js';
import { DuckDbSource } from './duckdb-source.js';
import { SourceError } from './errors.js';
import type { TrainingDataSource } from './source.js';

export { SourceError, type SourceErrorCode } from './errors.js';
export { canonicalOrder, recordsFromRows, type Pulled, type PullOptions, type SourceKind, type TrainingDataSource } from './source.js';
export { DeltaSource } from './delta-source.js';
export { DuckDbSource } from './duckdb-source.js';
export { DatabricksSource, databricksOptionsFromEnv, quoteTable, type DatabricksOptions } from './databricks-source.js';
export { findDeltaExtension, openDuckDbWithDelta } from './duckdb-delta.js';

/** Whether a `--data` value names a table behind a SQL engine rather than a local path. */
export const isRemoteSpec = (spec: string) => /^(databricks|duckdb):/.test(spec);

/**
 * A data source from a `--data` value: `databricks:CATALOG.SCHEMA.TABLE` (connection from DATABRICKS_HOST,
 * DATABRICKS_HTTP_PATH, DATABRICKS_TOKEN), `duckdb:PATH` (a Delta table read by DuckDB), or a local Delta
 * folder (the default).
 */
export function openSource(
  spec: string,
  opts: { env?: NodeJS.ProcessEnv; databricks?: Partial<DatabricksOptions> } = {},
): TrainingDataSource {
  if (spec.startsWith('databricks:')) {
    const table = spec.slice('databricks:'.length);
    const env = databricksOptionsFromEnv(table, opts.env ?? process.env, (p) => {
      try {
        return readFileSync(p, 'utf8');
      } catch (err) {
        throw new SourceError('CONFIG', `LUTFLOW_DATABRICKS_CA_CERT=${p}: ${(err as Error).message}`, 'LUTFLOW_DATABRICKS_CA_CERT');
      }
    });
    return new DatabricksSource({ ...env, ...opts.databricks });
  }
  if (spec.startsWith('duckdb:')) {
    const path = spec.slice('duckdb:'.length);
    if (!path) throw new SourceError('CONFIG', "duckdb: expected duckdb:PATH (a Delta table's folder or URL)", 'data');
    return new DuckDbSource(path);
  }
  return new DeltaSource(spec);
}
