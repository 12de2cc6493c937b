import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { promisify } from 'node:util';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createGpuSpecTable, usdToMicros } from '../../pricing/index.js';
import {
  acceleratorNames, builtinSource, lookupGpuPrices, PriceSourceError, refreshSkyPilotCatalogs, skypilotSource, SKYPILOT_CLOUDS,
  tinyfishSource,
} from '../../pricing/sources/index.js';
import { cli, ROOT, sharedFile, tempDir, TSX } from '../helpers/index.js';

const specs = createGpuSpecTable();
const SHARED = join(sharedFile('skypilot_catalog/lambda_vms_v8.csv'), '..');
const servers: Server[] = [];
afterAll(() => servers.forEach((s) => s.close()));

async function listen(handler: (req: IncomingMessage, body: string) => { status: number; body: string }): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const r = handler(req, body);
      res.writeHead(r.status, { 'content-type': 'application/json' }).end(r.body);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('SkyPilot catalogs as a price source', () => {
  it('reads all ten clouds, every GPU row taken, names normalised across clouds', async () => {
    const a = await skypilotSource(SHARED, specs).offers();
    expect(new Set(a.offers.map((o) => o.provider))).toEqual(new Set(SKYPILOT_CLOUDS));
    expect(a.warnings).toEqual([]);
    const gpuOf = (provider: string, instance: string) => a.offers.find((o) => o.provider === provider && o.instanceType === instance)?.gpu;
    expect(gpuOf('hyperstack', 'n3-A100x1')).toBe('A100-80GB');
    expect(gpuOf('lambda', 'gpu_1x_h100_pcie')).toBe('H100-PCIe');
    expect(gpuOf('primeintellect', 'lambdalabs__8xA100_80GB__240__1800')).toBe('A100-80GB');
    // Three clouds' spellings of one part become SkyPilot's common name.
    const ada = new Set(a.offers.filter((o) => /6000.?Ada/i.test(o.instanceType ?? '') || /RTX.?6000.?Ada/i.test(o.gpu)).map((o) => o.gpu));
    expect(ada).toEqual(new Set(['RTX6000-Ada']));
    const b200 = a.offers.find((o) => o.instanceType === 'gpu_8x_b200_sxm6' && o.region === 'us-east-1')!;
    expect(b200.onDemandMicrosPerHour).toBe(usdToMicros(53.52 / 8));
    // Vast's 0.00 spot column means no spot price, not a free GPU.
    expect(a.offers.filter((o) => o.provider === 'vast').every((o) => o.spotMicrosPerHour === undefined)).toBe(true);
    expect(a.offers.some((o) => o.provider === 'nebius' && o.spotMicrosPerHour! > 0)).toBe(true);
  });

  it('dates its answer and flags it stale once older than the limit', async () => {
    const fresh = await skypilotSource(SHARED, specs).offers({ gpu: 'H100' });
    expect(fresh.stale).toBe(false);
    expect(fresh.offers.every((o) => o.gpu === 'H100-SXM' && o.asOf === fresh.asOf)).toBe(true);
    const later = await skypilotSource(SHARED, specs, { now: () => Date.parse(fresh.asOf) + 61 * 86_400_000 }).offers();
    expect(later.stale).toBe(true);
    await expect(skypilotSource(join(tempDir(), 'none'), specs).offers()).rejects.toThrow(PriceSourceError);
  });

  /** SkyPilot's catalog repository, served from the shared copies (verda missing). */
  const catalogHome = () => listen((req) => {
    const m = /^\/v8\/(\w+)\/(vms|accelerators)\.csv$/.exec(req.url ?? '');
    if (!m || m[1] === 'verda') return { status: 404, body: 'not found' };
    const file = m[1] === 'common' ? 'common_accelerators_v8.csv' : `${m[1]}_vms_v8.csv`;
    return { status: 200, body: readFileSync(join(SHARED, file), 'utf8') };
  });

  it('refreshes the catalogs from their home into a cache, keeping an old copy when a cloud fails', async () => {
    const base = await catalogHome();
    const dir = tempDir();
    writeFileSync(join(dir, 'verda_vms_v8.csv'), readFileSync(join(SHARED, 'verda_vms_v8.csv')));
    const r = await refreshSkyPilotCatalogs({ dir, baseUrl: `${base}/v8`, now: () => Date.parse('2026-11-01T00:00:00Z') });
    expect(r.failed).toEqual([{ cloud: 'verda', error: expect.stringMatching(/HTTP 404/) }]);
    expect(r.fetched).toHaveLength(10);
    expect(existsSync(join(dir, 'verda_vms_v8.csv'))).toBe(true);
    const a = await skypilotSource(dir, specs, { now: () => Date.parse('2026-11-02T00:00:00Z') }).offers({ gpu: 'nvidia-l4' });
    expect(a.asOf).toBe('2026-11-01');
    expect(a.offers.map((o) => o.provider)).toContain('jarvislabs');
  });

  it('fills the cache on the first lookup, so the default answer has every cloud', async () => {
    const base = await catalogHome();
    const dir = join(tempDir(), 'skypilot');
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', TSX, join(ROOT, 'cli/main.ts'), 'lookup', '--gpu', 'nvidia-l4'], {
      env: { ...process.env, LUTFLOW_SKYPILOT_DIR: dir, LUTFLOW_SKYPILOT_URL: `${base}/v8`, TINYFISH_API_KEY: '' },
    });
    expect(stderr).toMatch(/no SkyPilot catalogs in .* yet: fetching them/);
    expect(stdout).toMatch(/^jarvislabs\s+IN2/m);
    expect(existsSync(join(dir, 'lambda_vms_v8.csv'))).toBe(true);
  });
});

describe('the live source (TinyFish web agent API)', () => {
  const reply = (offers: unknown[]) => JSON.stringify({ run_id: 'r1', status: 'COMPLETED', finished_at: '2026-11-28T10:00:00Z', result: { offers } });

  it('asks the agent for each page with the key and a schema, keeps good rows, reports bad ones, caches the answer', async () => {
    const seen: { key: string | undefined; body: { url: string; goal: string; output_schema: unknown } }[] = [];
    const base = await listen((req, body) => {
      seen.push({ key: req.headers['x-api-key'] as string | undefined, body: JSON.parse(body) });
      if (req.url !== '/v1/automation/run') return { status: 404, body: '{}' };
      const url = JSON.parse(body).url as string;
      if (url.includes('broken')) return { status: 200, body: JSON.stringify({ status: 'FAILED', error: { message: 'page did not load' } }) };
      return {
        status: 200, body: reply([
          { gpu: 'NVIDIA L4', gpu_count: 1, region: 'us-east', on_demand_usd_per_hour: 0.5, spot_usd_per_hour: 0.2 },
          { gpu: 'H100 SXM', gpu_count: 8, on_demand_usd_per_hour: 20 },
          { gpu: 'L4', gpu_count: 0, on_demand_usd_per_hour: 1 },
          { gpu: 'L4', gpu_count: 1, on_demand_usd_per_hour: -3 },
          'junk',
        ]),
      };
    });
    const cacheFile = join(tempDir(), 'tinyfish.json');
    const source = tinyfishSource(acceleratorNames(SHARED, specs), {
      apiKey: 'tf-key', baseUrl: base, cacheFile, now: () => Date.parse('2026-11-29T00:00:00Z'),
      pages: [{ provider: 'examplecloud', url: 'https://example.test/pricing' }, { provider: 'other', url: 'https://broken.test/' }],
    });
    const a = await source.offers({ gpu: 'nvidia-l4' });
    expect(seen.every((s) => s.key === 'tf-key' && typeof s.body.goal === 'string' && s.body.output_schema)).toBe(true);
    expect(a.offers).toEqual([{
      gpu: 'L4', known: true, provider: 'examplecloud', region: 'us-east', gpuCount: 1, onDemandMicrosPerHour: 500_000, spotMicrosPerHour: 200_000,
      source: 'https://example.test/pricing', asOf: '2026-11-28',
    }]);
    expect(a.warnings).toHaveLength(4);
    expect(a.warnings.join('\n')).toMatch(/gpu_count 0 is not 1-64[\s\S]*-3 is not a price[\s\S]*not an object[\s\S]*page did not load/);
    const h100 = await source.offers({ gpu: 'H100' });
    expect(h100.offers[0].onDemandMicrosPerHour).toBe(2_500_000);
    expect(seen.filter((s) => s.body.url === 'https://example.test/pricing')).toHaveLength(1);
  });

  it('names a refused key as such', async () => {
    const base = await listen(() => ({ status: 401, body: '{"error":"bad key"}' }));
    const source = tinyfishSource(acceleratorNames(undefined, specs), { apiKey: 'wrong', baseUrl: base, pages: [{ provider: 'p', url: 'https://p.test' }] });
    await expect(source.offers()).rejects.toThrow(/refused.*TINYFISH_API_KEY/);
  });
});

describe('lookup across sources', () => {
  it('answers every provider cheapest first with each source and date; an unknown name lists the closest', async () => {
    const r = await lookupGpuPrices([builtinSource(specs), skypilotSource(SHARED, specs)], 'nvidia-l4', { specs, skypilotDir: SHARED });
    expect(r.gpu).toBe('L4');
    const prices = r.offers.map((o) => o.onDemandMicrosPerHour!);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
    expect(new Set(r.offers.map((o) => o.provider))).toEqual(new Set(['jarvislabs', 'gcp', 'aws', 'shadeform']));
    expect(r.offers.filter((o) => o.provider === 'gcp').every((o) => o.stale)).toBe(true);
    await expect(lookupGpuPrices([builtinSource(specs)], 'NVIDIA L5 GPU', { specs })).rejects.toThrow(/unknown GPU 'NVIDIA L5 GPU'.*closest known: L4/);
  });

  it('lutflow lookup --gpu prints the table people read and JSON for scripts', () => {
    const t = cli(['lookup', '--gpu', 'nvidia-l4', '--skypilot-dir', SHARED, '--offline']);
    expect(t.code).toBe(0);
    const lines = t.stdout.split('\n');
    expect(lines[1]).toMatch(/^PROVIDER\s+REGION\s+INSTANCE\s+GPUS\s+ON-DEMAND\s+SPOT\s+SOURCE\s+AS OF$/);
    expect(lines[2]).toMatch(/^jarvislabs\s+IN2\s+1x_L4_28V_124G\s+1\s+\$0\.4400\s+-\s+skypilot\/jarvislabs/);
    expect(t.stdout).toMatch(/gcp\s+us-central1.*\$0\.2240.*2025-09-01 STALE/);
    expect(t.stdout).toMatch(/source built-in: 2 offers, as of 2025-09-01 \(STALE/);
    const j = cli(['lookup', '--gpu', 'RTX5090', '--skypilot-dir', SHARED, '--offline', '--json']);
    const out = JSON.parse(j.stdout);
    expect(out).toMatchObject({ gpu: 'RTX5090', known: false });
    expect(out.offers.length).toBe(11);
  });
});
