import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsvLines } from '../lib/csv.js';
import type { Catalog } from '../pricing/index.js';
import type { RunRecord } from '../stream/index.js';
import { AZURE_TRACE_COLUMNS, importAzureTrace, importLlmInferenceBench, isLlmInferenceBenchHeader, LLM_INFERENCE_BENCH_COLUMNS, summarise } from './import/index.js';
import { isRemoteSpec, openSource } from './sources/index.js';

export interface LoadedRuns {
  readonly records: RunRecord[];
  readonly source: string;
  readonly deltaVersion: number | null;
  /** For a CSV imported on the fly: what the importer took and rejected. */
  readonly imported?: ReturnType<typeof summarise>;
}

export interface LoadOptions {
  readonly catalog: Catalog;
  /** Azure traces carry no model: the API model to price them as. */
  readonly apiModel?: string;
  readonly requestsPerRun?: number;
  /** Progress and retries of a remote pull. */
  readonly onLog?: (line: string) => void;
}

/** Every run of a table behind a training-data source, at its latest version, in canonical order. */
async function pullTable(spec: string, onLog?: (line: string) => void): Promise<LoadedRuns> {
  const source = openSource(spec, { databricks: { onLog } });
  try {
    const pulled = await source.pull({ onProgress: onLog && ((n) => onLog(`${source.name}: ${n} rows`)) });
    return { records: pulled.records, source: source.name, deltaVersion: pulled.version };
  } finally {
    await source.close();
  }
}

/**
 * Run records from a Delta table (a local folder, `duckdb:PATH`, or `databricks:CATALOG.SCHEMA.TABLE`), or
 * from a CSV in the LLM-Inference-Bench or Azure-trace format imported on the fly.
 */
export async function loadRuns(path: string, opts: LoadOptions): Promise<LoadedRuns> {
  if (isRemoteSpec(path)) return pullTable(path, opts.onLog);
  if (!existsSync(path)) throw new Error(`${path}: no such table or file`);
  if (statSync(path).isDirectory()) {
    if (!existsSync(join(path, '_delta_log'))) throw new Error(`${path}: a directory but not a Delta table (no _delta_log)`);
    return pullTable(path);
  }
  const text = readFileSync(path, 'utf8');
  const header = (parseCsvLines(text.slice(0, 4096))[0] ?? []).map((h) => h.trim());
  const has = (cols: readonly string[]) => cols.every((c) => header.includes(c));
  const result = isLlmInferenceBenchHeader(header)
    ? importLlmInferenceBench(text, { catalog: opts.catalog, source: path })
    : has(AZURE_TRACE_COLUMNS)
      ? importAzureTrace(text, { catalog: opts.catalog, model: opts.apiModel ?? 'gpt-4o-mini', requestsPerRun: opts.requestsPerRun ?? 50, source: path })
      : undefined;
  if (!result) throw new Error(`${path}: neither a Delta table nor a CSV in the LLM-Inference-Bench (${LLM_INFERENCE_BENCH_COLUMNS.join(', ')}) or Azure-trace (${AZURE_TRACE_COLUMNS.join(', ')}) format, or one of the study's side tables`);
  return { records: result.records, source: path, deltaVersion: null, imported: summarise(result) };
}

/** Several tables or CSVs as one training set (a main table and side tables, say); the sources joined by ` + `. */
export async function loadAllRuns(paths: readonly string[], opts: LoadOptions): Promise<LoadedRuns & { readonly parts: readonly LoadedRuns[] }> {
  const parts: LoadedRuns[] = [];
  for (const p of paths) parts.push(await loadRuns(p, opts));
  const records = parts.flatMap((p) => p.records);
  const ids = new Set<string>();
  for (const r of records) {
    if (ids.has(r.run_id)) throw new Error(`run ${r.run_id} appears twice in ${paths.join(' + ')}; give each table once`);
    ids.add(r.run_id);
  }
  return { records, source: paths.join(' + '), deltaVersion: parts.length === 1 ? parts[0].deltaVersion : null, imported: parts.length === 1 ? parts[0].imported : undefined, parts };
}
