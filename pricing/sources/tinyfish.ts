import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { usdToMicros } from '../money.js';
import type { AcceleratorNames } from './accelerators.js';
import { isStale, PriceSourceError, type GpuOffer, type PriceSource, type SourceAnswer } from './types.js';

/** A provider's public price page that the live source has read for it. */
export interface PricePage {
  readonly provider: string;
  readonly url: string;
}

export const TINYFISH_URL = 'https://agent.tinyfish.ai';

export const DEFAULT_PAGES: readonly PricePage[] = [
  { provider: 'lambda', url: 'https://lambda.ai/pricing' },
  { provider: 'runpod', url: 'https://www.runpod.io/pricing' },
  { provider: 'coreweave', url: 'https://www.coreweave.com/pricing' },
  { provider: 'vultr', url: 'https://www.vultr.com/pricing/#cloud-gpu' },
];

export interface TinyfishOptions {
  /** TINYFISH_API_KEY. */
  readonly apiKey: string;
  readonly baseUrl?: string;
  readonly pages?: readonly PricePage[];
  readonly fetch?: typeof fetch;
  /** One page's run (the agent browses the page): 3 minutes by default. */
  readonly timeoutMs?: number;
  /** Answers are kept here for `cacheTtlMs` (a run takes tens of seconds and is billed). */
  readonly cacheFile?: string;
  readonly cacheTtlMs?: number;
  readonly now?: () => number;
  readonly maxAgeDays?: number;
}

const GOAL = 'Extract every GPU instance price on this page. For each offer give the GPU model name, the number of GPUs '
  + 'in the instance, the region (or "any"), the on-demand price in USD per hour for the whole instance, and the spot or '
  + 'interruptible price in USD per hour when the page shows one. Return JSON only.';

/** The structured output the agent is asked for (TinyFish `output_schema`). */
const OUTPUT_SCHEMA = {
  type: 'object',
  properties: {
    offers: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          gpu: { type: 'string' }, gpu_count: { type: 'number' }, region: { type: 'string' },
          on_demand_usd_per_hour: { type: 'number' }, spot_usd_per_hour: { type: 'number' },
        },
        required: ['gpu', 'gpu_count', 'on_demand_usd_per_hour'],
      },
    },
  },
  required: ['offers'],
};

interface RunAnswer {
  readonly status?: string;
  readonly finished_at?: string | null;
  readonly result?: { offers?: unknown } | null;
  readonly error?: { message?: string } | string | null;
}

interface CacheEntry {
  readonly at: number;
  readonly answer: RunAnswer;
}

/**
 * Live prices read from the providers' own pages by the TinyFish web agent API (`POST /v1/automation/run`,
 * `X-API-Key`): each page's offers with the page as source and the run's finish as date. Rows the agent returned
 * malformed are dropped with a warning; a page that fails is a warning, and all pages failing is an error.
 */
export function tinyfishSource(names: AcceleratorNames, opts: TinyfishOptions): PriceSource {
  const base = (opts.baseUrl ?? TINYFISH_URL).replace(/\/$/, '');
  const get = opts.fetch ?? fetch;
  const now = opts.now ?? Date.now;
  const pages = opts.pages ?? DEFAULT_PAGES;
  const ttl = opts.cacheTtlMs ?? 24 * 3_600_000;

  const readCache = (): Record<string, CacheEntry> => {
    if (!opts.cacheFile || !existsSync(opts.cacheFile)) return {};
    try { return JSON.parse(readFileSync(opts.cacheFile, 'utf8')) as Record<string, CacheEntry>; } catch { return {}; }
  };
  const writeCache = (c: Record<string, CacheEntry>) => {
    if (!opts.cacheFile) return;
    mkdirSync(dirname(opts.cacheFile), { recursive: true });
    writeFileSync(`${opts.cacheFile}.tmp`, JSON.stringify(c));
    renameSync(`${opts.cacheFile}.tmp`, opts.cacheFile);
  };

  const run = async (page: PricePage): Promise<RunAnswer> => {
    const res = await get(`${base}/v1/automation/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': opts.apiKey },
      body: JSON.stringify({ url: page.url, goal: GOAL, output_schema: OUTPUT_SCHEMA }),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 180_000),
    });
    if (res.status === 401 || res.status === 403) throw new PriceSourceError('tinyfish', `the API key was refused (HTTP ${res.status}): check TINYFISH_API_KEY`);
    if (!res.ok) throw new Error(`HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
    const answer = (await res.json()) as RunAnswer;
    if (answer.status !== 'COMPLETED') {
      const why = typeof answer.error === 'string' ? answer.error : answer.error?.message ?? `status ${answer.status}`;
      throw new Error(`the run did not complete: ${why}`);
    }
    return answer;
  };

  return {
    name: 'tinyfish',
    async offers(query = {}): Promise<SourceAnswer> {
      const cache = readCache();
      const offers: GpuOffer[] = [];
      const warnings: string[] = [];
      const dates: string[] = [];
      let answered = 0;
      await Promise.all(pages.map(async (page) => {
        let entry = cache[page.url];
        if (!entry || now() - entry.at > ttl) {
          try {
            entry = { at: now(), answer: await run(page) };
            cache[page.url] = entry;
          } catch (err) {
            if (err instanceof PriceSourceError) throw err;
            warnings.push(`${page.url}: ${(err as Error).message}`);
            return;
          }
        }
        answered++;
        const asOf = (entry.answer.finished_at ?? new Date(entry.at).toISOString()).slice(0, 10);
        dates.push(asOf);
        const rows = Array.isArray(entry.answer.result?.offers) ? entry.answer.result.offers : [];
        rows.forEach((row, i) => {
          const o = offerOf(row, page, asOf, names);
          if (typeof o === 'string') warnings.push(`${page.url} offer ${i}: ${o}`);
          else offers.push(o);
        });
      }));
      writeCache(cache);
      if (!answered) throw new PriceSourceError('tinyfish', `no price page answered: ${warnings.join('; ')}`);
      const id = query.gpu === undefined ? undefined : names.resolve(query.gpu).id;
      const asOf = dates.sort()[0];
      return {
        source: `TinyFish web agent (${base}) reading ${pages.map((p) => p.url).join(', ')}`, asOf,
        stale: isStale(asOf, now(), opts.maxAgeDays), offers: offers.filter((o) => id === undefined || o.gpu === id), warnings,
      };
    },
  };
}

/** One row the agent returned, checked field by field; a string says what is wrong with it. */
function offerOf(row: unknown, page: PricePage, asOf: string, names: AcceleratorNames): GpuOffer | string {
  if (typeof row !== 'object' || row === null) return 'not an object';
  const r = row as Record<string, unknown>;
  if (typeof r.gpu !== 'string' || !r.gpu.trim()) return 'gpu is missing';
  const count = r.gpu_count ?? 1;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 64) return `gpu_count ${JSON.stringify(count)} is not 1-64`;
  const price = (v: unknown, field: string) => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !(v > 0) || v / count > 10_000) throw new Error(`${field} ${JSON.stringify(v)} is not a price`);
    return usdToMicros(v / count, field);
  };
  try {
    const onDemand = price(r.on_demand_usd_per_hour, 'on_demand_usd_per_hour');
    const spot = price(r.spot_usd_per_hour, 'spot_usd_per_hour');
    if (onDemand === undefined && spot === undefined) return 'no price';
    const gpu = names.resolve(r.gpu);
    return {
      gpu: gpu.id, known: gpu.known, provider: page.provider, region: typeof r.region === 'string' && r.region ? r.region : 'any',
      gpuCount: count, onDemandMicrosPerHour: onDemand, spotMicrosPerHour: spot, source: page.url, asOf,
    };
  } catch (err) {
    return (err as Error).message;
  }
}
