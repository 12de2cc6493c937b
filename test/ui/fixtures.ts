import { join } from 'node:path';
import { builtinCatalog } from '../../pricing/index.js';
import type { RunRecord } from '../../stream/index.js';
import { appendRunRecords, generateSample, trainPcpo } from '../../training/index.js';
import { tempDir } from '../helpers/index.js';

export const ADMIN = 'admin-key-0123456789abcdef';
export const ACME = 'acme-key-0123456789abcdef';
export const GLOBEX = 'globex-key-0123456789abcdef';
export const KEYS = [
  { key: ADMIN, tenants: ['*'], name: 'ops' },
  { key: ACME, tenants: ['acme'] },
  { key: GLOBEX, tenants: ['globex'] },
];
export const auth = (key: string) => ({ authorization: `Bearer ${key}` });

export interface SampleModel {
  readonly table: string;
  readonly modelDir: string;
  /** Version 0 of the table: what the model learned from. */
  readonly trained: readonly RunRecord[];
  /** Version 1: runs added after training. */
  readonly later: readonly RunRecord[];
}

/**
 * A run table in two commits and a model trained on the first, as `lutflow start` leaves them: the card names
 * the table and version, so the dashboard can tell in-sample runs from later ones.
 */
export async function sampleModel(runs = 900, trainedShare = 0.8): Promise<SampleModel> {
  const catalog = builtinCatalog();
  const dir = tempDir('lutflow-ui-');
  const table = join(dir, 'pcpo_runs');
  const records = [...generateSample({ catalog, seed: 7, runs }).records].sort((a, b) => a.launched_at.localeCompare(b.launched_at));
  const cut = Math.round(records.length * trainedShare);
  const trained = records.slice(0, cut);
  const later = records.slice(cut);
  const v0 = await appendRunRecords(table, trained, { operation: 'SAMPLE' });
  const modelDir = join(dir, 'models', 'pcpo');
  trainPcpo({ records: trained, out: modelDir, catalog, source: table, deltaVersion: v0.version, rounds: 80 });
  await appendRunRecords(table, later, { operation: 'SAMPLE' });
  return { table, modelDir, trained, later };
}

let ids = 0;
/** A `lut.telemetry` event at `at` with a fresh id. */
export const event = (at: number, over: Record<string, unknown> = {}) => ({
  schema_version: 1, event_id: `ui-${++ids}`, event_time: new Date(at).toISOString(), tenant_id: 'acme', provider: 'openai',
  model: 'gpt-4o', cost_usd_micros: 1_000_000, outcome: 'ok', ...over,
});
