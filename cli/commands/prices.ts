import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { BUNDLED_PRICES, builtinCatalog, bundledPriceDatabase, createPriceDatabase, microsToUsd, PricingError, type TokenPrice } from '../../pricing/index.js';
import { defaultPricesCache, PriceLookup } from '../../sdk/prices.js';
import { parse, UsageError, type Command, type Io } from '../command.js';


const usage = `usage: lutflow prices <update|show> [MODEL] [options]

  update            fetch the newest genai-prices data into the local cache; the SDK and this
                    command use it from then on, offline (the copy bundled with the package
                    otherwise: @pydantic/genai-prices ${BUNDLED_PRICES.version}, data of ${BUNDLED_PRICES.asOf})
  show MODEL        the price a call to MODEL is charged at, and where it comes from: the curated
                    table first (checked by hand; it always wins), then the price database

options:
  --provider NAME   show: the provider that serves MODEL (groq, together, fireworks, azure, bedrock,
                    vertex, deepseek, mistral, openrouter …); 'vendor/model' names need none
  --url URL         update: where to fetch the data (default: genai-prices' published data.json)
  --cache FILE      the cache file (default: $LUTFLOW_PRICES_CACHE, else ~/.cache/lutflow/genai-prices.json)
  --json            machine-readable output`;

async function update(url: string, cache: string, io: Io, json: boolean): Promise<void> {
  const res = await fetch(url, { signal: AbortSignal.timeout(30_000) }).catch((err: Error) => {
    throw new PricingError('BAD_PRICE_FILE', `could not fetch ${url}: ${err.message}; the cache at ${cache} is unchanged`);
  });
  if (!res.ok) throw new PricingError('BAD_PRICE_FILE', `${url} answered ${res.status}; the cache at ${cache} is unchanged`);
  const data: unknown = await res.json().catch(() => undefined);
  const fetchedAt = new Date().toISOString();
  // Validated before anything is written: a bad download never replaces a good cache.
  const db = createPriceDatabase(data, { source: url, asOf: fetchedAt.slice(0, 10) });
  mkdirSync(dirname(cache), { recursive: true });
  const tmp = `${cache}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ fetched_at: fetchedAt, url, data }));
  renameSync(tmp, cache);
  const bundled = await bundledPriceDatabase();
  const summary = { cache, url, fetched_at: fetchedAt, providers: db.providers, models: db.models, bundled: { version: BUNDLED_PRICES.version, as_of: BUNDLED_PRICES.asOf, providers: bundled.providers, models: bundled.models } };
  if (json) io.out(JSON.stringify(summary, null, 2));
  else io.out(`${cache}: ${db.providers} providers, ${db.models} models, fetched ${fetchedAt} (bundled: ${bundled.providers} providers, ${bundled.models} models of ${BUNDLED_PRICES.asOf})`);
}

function describe(p: TokenPrice, from: string): Record<string, unknown> {
  const usd = (m: number | undefined) => (m === undefined ? null : microsToUsd(m));
  return {
    model: p.id, provider: p.provider, from, as_of: p.asOf, source: p.source, context_window: p.contextWindow,
    usd_per_million_tokens: { input: usd(p.input), output: usd(p.output), cached_input: usd(p.cachedInput), cache_write_5m: usd(p.cacheWrite5m), cache_write_1h: usd(p.cacheWrite1h) },
    usd_per_request: usd(p.perRequest),
    long_context: p.longContext ? { above_tokens: p.longContext.thresholdTokens, input: usd(p.longContext.input), output: usd(p.longContext.output) } : null,
  };
}

const command: Command = {
  summary: 'refresh the price database, or show what a model is charged at',
  usage,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { provider: { type: 'string' }, url: { type: 'string' }, cache: { type: 'string' }, json: { type: 'boolean' } });
    const [what, model] = positionals;
    const cache = values.cache ?? defaultPricesCache();
    if (what === 'update') return update(values.url ?? (await import('@pydantic/genai-prices')).REMOTE_DATA_JSON_URL, cache, io, !!values.json);
    if (what !== 'show') throw new UsageError(`expected update or show, got '${what ?? ''}'`);
    if (!model) throw new UsageError('show needs a MODEL');
    const lookup = new PriceLookup({ catalog: builtinCatalog(), pricesCache: cache, warn: (m) => io.err(m) });
    const known = lookup.known(model);
    const p = known ?? await lookup.find(model, { provider: values.provider });
    const d = describe(p, known ? 'curated table' : `price database: ${(await lookup.db()).source}`);
    if (values.json) return io.out(JSON.stringify(d, null, 2));
    const u = d.usd_per_million_tokens as Record<string, number | null>;
    const cell = (v: number | null) => (v === null ? '-' : `$${v}`);
    io.out(`${p.id} (${p.provider}), from the ${d.from}, as of ${p.asOf}\nsource: ${p.source}`);
    io.out(`per million tokens: input ${cell(u.input)}  output ${cell(u.output)}  cached input ${cell(u.cached_input)}  cache write 5m ${cell(u.cache_write_5m)}  1h ${cell(u.cache_write_1h)}`);
    if (p.longContext) io.out(`above ${p.longContext.thresholdTokens} prompt tokens: input $${microsToUsd(p.longContext.input)}  output $${microsToUsd(p.longContext.output)}`);
  },
};
export default command;
