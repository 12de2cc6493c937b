import { readFileSync } from 'node:fs';
import { PricingError } from './errors.js';
import { usdToMicros, type Micros } from './money.js';
import type { TokenPrice } from './token-prices.js';

/**
 * Token prices from a maintained database, for the models the curated table does not type by hand:
 * `@pydantic/genai-prices` (its data ships inside the npm package, so it works offline), or a newer
 * copy of the same data refreshed into a local cache by `lutflow prices update`. The curated table
 * always wins over it (see sdk/prices.ts).
 */
export interface PriceDatabase {
  /** Where the data came from, and the date it was true. */
  readonly source: string;
  readonly asOf: string;
  readonly providers: number;
  readonly models: number;
  /** A model's price, by the provider's name (ours or the database's), or by the API URL it is called at. */
  find(model: string, opts?: { provider?: string; apiUrl?: string }): TokenPrice | undefined;
}

/** The genai-prices data format (v2 `data.json`), as far as it is read here. */
type MatchLogic =
  | { equals: string } | { starts_with: string } | { ends_with: string } | { contains: string } | { regex: string }
  | { or: MatchLogic[] } | { and: MatchLogic[] };
interface Tiered { base: number; tiers: { start: number; price: number }[] }
type ModelPrice = Record<string, number | Tiered | undefined>;
interface ConditionalPrice { constraint?: { type: string; start_date?: string }; prices: ModelPrice }
interface DbModel { id: string; match: MatchLogic; context_window?: number; prices: ModelPrice | ConditionalPrice[] }
interface DbProvider {
  id: string; name: string; api_pattern: string; pricing_urls?: string[]; fallback_model_providers?: string[]; models: DbModel[];
}

/** Our provider names (and LiteLLM's) to the database's. */
const PROVIDER_IDS: Record<string, string> = {
  gemini: 'google', vertex: 'google', vertex_ai: 'google', google: 'google', bedrock: 'aws', aws: 'aws', azure: 'azure', azure_openai: 'azure',
  xai: 'x-ai', 'x-ai': 'x-ai', together: 'together', together_ai: 'together', fireworks: 'fireworks', fireworks_ai: 'fireworks',
};

function matches(logic: MatchLogic, name: string): boolean {
  if ('equals' in logic) return name === logic.equals;
  if ('starts_with' in logic) return name.startsWith(logic.starts_with);
  if ('ends_with' in logic) return name.endsWith(logic.ends_with);
  if ('contains' in logic) return name.includes(logic.contains);
  if ('regex' in logic) return new RegExp(logic.regex).test(name);
  if ('or' in logic) return logic.or.some((l) => matches(l, name));
  return logic.and.every((l) => matches(l, name));
}

/** The prices in force today: the latest dated set; where prices vary by time of day, the highest of each. */
function currentPrices(prices: ModelPrice | ConditionalPrice[], today: string): ModelPrice {
  if (!Array.isArray(prices)) return prices;
  const dated = prices.filter((p) => p.constraint?.type === 'start_date' && p.constraint.start_date! <= today);
  const latest = dated.sort((a, b) => b.constraint!.start_date!.localeCompare(a.constraint!.start_date!))[0];
  const pool = latest ? [latest] : prices.filter((p) => p.constraint?.type !== 'start_date');
  const out: Record<string, number | Tiered> = {};
  for (const { prices: p } of pool.length ? pool : prices) {
    for (const [k, v] of Object.entries(p)) {
      if (v === undefined) continue;
      const prev = out[k];
      if (prev === undefined || base(v) > base(prev)) out[k] = v;
    }
  }
  return out;
}

const base = (v: number | Tiered): number => (typeof v === 'number' ? v : v.base);
const tier = (v: number | Tiered | undefined): { start: number; price: number } | undefined => (v !== undefined && typeof v !== 'number' ? v.tiers[0] : undefined);

function toTokenPrice(p: DbProvider, m: DbModel, prices: ModelPrice, source: string, asOf: string): TokenPrice | undefined {
  const usd = (k: string) => (prices[k] === undefined ? undefined : base(prices[k]!));
  const f = (k: string) => `${p.id}/${m.id}.${k}`;
  const micros = (k: string): Micros | undefined => (usd(k) === undefined ? undefined : usdToMicros(usd(k)!, f(k)));
  const input = micros('input_mtok');
  if (input === undefined) return undefined;
  const long = tier(prices.input_mtok);
  const longOf = (k: string) => tier(prices[k])?.price;
  const output = micros('output_mtok') ?? 0;
  const perRequest = usd('requests_kcount') === undefined ? undefined : usdToMicros(usd('requests_kcount')! / 1000, f('requests_kcount'));
  return {
    id: `${p.id}/${m.id}`, provider: p.id, asOf, source: `${source}${p.pricing_urls?.[0] ? ` (${p.pricing_urls[0]})` : ''}`,
    contextWindow: m.context_window ?? 200_000,
    // The database has no output limit: the context window bounds it.
    maxOutputTokens: m.context_window ?? 200_000,
    input, output, cachedInput: micros('cache_read_mtok'), cacheWrite5m: micros('cache_write_mtok'), cacheWrite1h: micros('cache_write_1h_mtok'), perRequest,
    longContext: long && {
      thresholdTokens: long.start, input: usdToMicros(long.price, f('input_mtok.tier')),
      output: longOf('output_mtok') !== undefined ? usdToMicros(longOf('output_mtok')!, f('output_mtok.tier')) : output,
      cachedInput: longOf('cache_read_mtok') !== undefined ? usdToMicros(longOf('cache_read_mtok')!, f('cache_read_mtok.tier')) : undefined,
    },
  };
}

/** A database over genai-prices provider data (the package's bundled copy or a refreshed `data.json`). */
export function createPriceDatabase(data: unknown, meta: { source: string; asOf: string; today?: string }): PriceDatabase {
  if (!Array.isArray(data) || !data.every((p) => p && typeof p.id === 'string' && Array.isArray(p.models))) {
    throw new PricingError('BAD_PRICE_FILE', `${meta.source}: expected the genai-prices data format (an array of providers with models)`);
  }
  const providers = data as DbProvider[];
  const byId = new Map(providers.map((p) => [p.id, p]));
  const patterns = providers.map((p) => ({ p, re: safeRegExp(p.api_pattern) }));
  const today = meta.today ?? new Date().toISOString().slice(0, 10);
  const memo = new Map<string, TokenPrice | null>();
  /** A model in one provider: its own models first (exact name, then lowercase), then those it resells. */
  const inProvider = (p: DbProvider, name: string, depth = 0): TokenPrice | undefined => {
    for (const n of name === name.toLowerCase() ? [name] : [name, name.toLowerCase()]) {
      const m = p.models.find((x) => matches(x.match, n));
      if (m) return toTokenPrice(p, m, currentPrices(m.prices, today), meta.source, meta.asOf);
    }
    if (depth > 0) return undefined;
    for (const id of p.fallback_model_providers ?? []) {
      const other = byId.get(id);
      const price = other && inProvider(other, name, 1);
      if (price) return { ...price, id: `${p.id}/${price.id.slice(price.id.indexOf('/') + 1)}`, provider: p.id, source: `${price.source}, resold by ${p.name}` };
    }
    return undefined;
  };
  return {
    source: meta.source,
    asOf: meta.asOf,
    providers: providers.length,
    models: providers.reduce((n, p) => n + p.models.length, 0),
    find(model, opts = {}) {
      const key = `${opts.provider ?? ''}|${opts.apiUrl ?? ''}|${model}`;
      const hit = memo.get(key);
      if (hit !== undefined) return hit ?? undefined;
      const slash = model.indexOf('/');
      const prefixed = slash > 0 ? byId.get(PROVIDER_IDS[model.slice(0, slash)] ?? model.slice(0, slash)) : undefined;
      const named = opts.provider ? byId.get(PROVIDER_IDS[opts.provider] ?? opts.provider) : undefined;
      const byUrl = opts.apiUrl ? patterns.find(({ re }) => re?.test(opts.apiUrl!))?.p : undefined;
      const name = model;
      const bare = slash > 0 ? name.slice(slash + 1) : name;
      let price: TokenPrice | undefined;
      for (const p of [named, byUrl]) if (!price && p) price = inProvider(p, name);
      if (!price && !named && !byUrl) {
        if (prefixed) price = inProvider(prefixed, bare);
        if (!price && slash > 0 && byId.has('openrouter')) price = inProvider(byId.get('openrouter')!, name);
      }
      // The host does not list the model (or no host is known): the highest price any host has for it, never a low one.
      if (!price) {
        const found = providers.flatMap((p) => [inProvider(p, name, 1), bare !== name ? inProvider(p, bare, 1) : undefined]);
        const top = highest(found);
        const hosts = found.filter(Boolean).length;
        if (top) price = { ...top, source: `${top.source}; the highest of ${hosts} host${hosts === 1 ? '' : 's'} listing this model, as ${opts.provider ?? 'its host'} does not` };
      }
      memo.set(key, price ?? null);
      return price;
    },
  };
}

function highest(prices: (TokenPrice | undefined)[]): TokenPrice | undefined {
  const found = prices.filter((p): p is TokenPrice => p !== undefined);
  const worst = (p: TokenPrice) => p.input + p.output;
  return found.sort((a, b) => worst(b) - worst(a))[0];
}

function safeRegExp(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern);
  } catch {
    return undefined;
  }
}

/** The installed `@pydantic/genai-prices` and the date its data was published (checked against the installed version by a test). */
export const BUNDLED_PRICES = { version: '0.1.8', asOf: '2026-09-23' } as const;

let bundled: Promise<PriceDatabase> | undefined;

/** The database shipped inside the npm package: offline, loaded once on first use. */
export function bundledPriceDatabase(): Promise<PriceDatabase> {
  bundled ??= import('@pydantic/genai-prices').then(async (gp) => {
    const data = await gp.waitForUpdate();
    return createPriceDatabase(data, { source: `@pydantic/genai-prices ${BUNDLED_PRICES.version} (bundled)`, asOf: BUNDLED_PRICES.asOf });
  });
  return bundled;
}

/** A refreshed copy written by `lutflow prices update`: `{ fetched_at, url, data }`. */
export function loadPriceDatabase(path: string): PriceDatabase {
  let file: { fetched_at?: string; url?: string; data?: unknown };
  try {
    file = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new PricingError('BAD_PRICE_FILE', `${path}: ${(err as Error).message}`, { field: path });
  }
  const asOf = typeof file.fetched_at === 'string' ? file.fetched_at.slice(0, 10) : 'unknown';
  return createPriceDatabase(file.data, { source: `genai-prices data from ${file.url ?? 'unknown'} (cached at ${path})`, asOf });
}
