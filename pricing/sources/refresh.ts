import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMON_ACCELERATORS, SKYPILOT_META, type SkyPilotMeta } from './skypilot.js';

/** SkyPilot's public catalog repository, version 8 of the schema. */
export const SKYPILOT_CATALOG_URL = 'https://raw.githubusercontent.com/skypilot-org/skypilot-catalog/master/catalogs/v8';

/** The GPU clouds whose catalogs share one schema (the ones Lutflow's tests read from ../shared/data/skypilot_catalog). */
export const SKYPILOT_CLOUDS = ['cudo', 'hyperstack', 'jarvislabs', 'lambda', 'mithril', 'nebius', 'primeintellect', 'shadeform', 'vast', 'verda'];

export interface RefreshResult {
  readonly dir: string;
  readonly fetched: { cloud: string; bytes: number }[];
  readonly failed: { cloud: string; error: string }[];
}

/**
 * Fetches SkyPilot's catalogs into `dir` (`<cloud>_vms_v8.csv`, `common_accelerators_v8.csv`, `fetched.json`).
 * Each file is written whole or not at all; a cloud that fails keeps its previous copy and is reported.
 */
export async function refreshSkyPilotCatalogs(opts: {
  dir: string; baseUrl?: string; clouds?: readonly string[]; fetch?: typeof fetch; timeoutMs?: number; now?: () => number;
}): Promise<RefreshResult> {
  const base = (opts.baseUrl ?? SKYPILOT_CATALOG_URL).replace(/\/$/, '');
  const get = opts.fetch ?? fetch;
  const clouds = opts.clouds ?? SKYPILOT_CLOUDS;
  const out: RefreshResult = { dir: opts.dir, fetched: [], failed: [] };
  const one = async (cloud: string, path: string, file: string) => {
    try {
      const res = await get(`${base}/${path}`, { signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status} for ${base}/${path}`);
      const text = await res.text();
      if (!/^InstanceType,|^AcceleratorName,/.test(text)) throw new Error(`${base}/${path} is not a SkyPilot catalog`);
      mkdirSync(opts.dir, { recursive: true });
      const tmp = join(opts.dir, `.${file}.tmp`);
      writeFileSync(tmp, text);
      renameSync(tmp, join(opts.dir, file));
      out.fetched.push({ cloud, bytes: Buffer.byteLength(text) });
    } catch (err) {
      const cause = (err as Error & { cause?: Error }).cause?.message;
      out.failed.push({ cloud, error: `${(err as Error).message}${cause ? ` (${cause})` : ''}` });
    }
  };
  await Promise.all([
    ...clouds.map((c) => one(c, `${c}/vms.csv`, `${c}_vms_v8.csv`)),
    one('common', 'common/accelerators.csv', COMMON_ACCELERATORS),
  ]);
  if (out.fetched.length) {
    mkdirSync(opts.dir, { recursive: true });
    const meta: SkyPilotMeta = { fetched_at: new Date((opts.now ?? Date.now)()).toISOString(), base_url: base, clouds: out.fetched.map((f) => f.cloud) };
    writeFileSync(join(opts.dir, SKYPILOT_META), `${JSON.stringify(meta, null, 2)}\n`);
  }
  return out;
}
