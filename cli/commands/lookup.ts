import { existsSync } from 'node:fs';
import {
  createCatalog, createGpuSpecTable, loadLiteLlmPrices, loadSkyPilotCatalog, microsToUsd, type Catalog, type GpuPrice,
} from '../../pricing/index.js';
import {
  lookupGpuPrices, maxPriceAgeDays, priceSources, refreshSkyPilotCatalogs, skypilotCacheDir, type GpuLookup, type GpuOffer,
} from '../../pricing/sources/index.js';
import { parse, UsageError, type Command, type Io } from '../command.js';
import { table, usd } from '../format.js';

const usage = `usage: lutflow lookup --gpu NAME [--spot] [--json] [--skypilot-dir DIR] [--offline]
       lutflow lookup --refresh [--skypilot-dir DIR]
       lutflow lookup <gpu|model|price> NAME [options]

  --gpu NAME        every provider and region's on-demand and spot price per GPU-hour, cheapest first, each
                    with its source and date, from every price source: the built-in snapshot, SkyPilot's
                    catalogs (10 clouds, cached by --refresh), and live prices read from the providers' pages
                    by the TinyFish API when TINYFISH_API_KEY is set. A stale source (older than
                    LUTFLOW_PRICE_MAX_AGE_DAYS, default 60) is flagged. A table; --json for scripts.
  --refresh         fetch SkyPilot's catalogs into the cache (LUTFLOW_SKYPILOT_DIR, default ~/.cache/lutflow/skypilot);
                    the first --gpu lookup does it when the cache does not exist yet (LUTFLOW_SKYPILOT_URL: a mirror)
  --skypilot-dir D  read SkyPilot catalogs (<cloud>_vms_v8.csv) from D instead of the cache
  --offline         use no network: neither the live source nor a first fetch of the catalogs
  --spot            rank by spot price

  gpu NAME          GPU specs and every catalog price, as JSON (cheapest first)
  model NAME        open-model specs (parameters, precision, context, shape)
  price MODEL       token prices of an API model (µ$ per million tokens shown as USD)
  --litellm FILE    overlay token prices from a LiteLLM model_prices_and_context_window.json
  --skypilot FILE   add GPU prices from one SkyPilot catalog vms.csv (needs --provider)
  --provider NAME   provider of the --skypilot file; with 'gpu', only this provider's prices

Names are normalised ('nvidia-l4', 'L4' and 'NVIDIA L4 GPU' are one GPU; SkyPilot's spellings too);
an unknown name fails with the closest known names.`;

function catalogFrom(values: { litellm?: string; skypilot?: string; provider?: string }, io: Io): Catalog {
  const tokenPrices = values.litellm ? loadLiteLlmPrices(values.litellm) : undefined;
  if (tokenPrices) io.err(`litellm: ${tokenPrices.prices.length} priced models taken, ${tokenPrices.skipped.length} entries skipped (not priced per token)`);
  let gpuPrices: GpuPrice[] | undefined;
  if (values.skypilot) {
    if (!values.provider) throw new UsageError('--skypilot needs --provider');
    const imp = loadSkyPilotCatalog(values.skypilot, values.provider, createGpuSpecTable(), new Date().toISOString().slice(0, 10));
    const first = imp.rejected.slice(0, 3).map((r) => `line ${r.line}: ${r.reason}`).join('; ');
    io.err(`skypilot: ${imp.taken.length} GPU offers taken, ${imp.notGpu} CPU-only rows, ${imp.rejected.length} rejected${first ? `: ${first}` : ''}`);
    gpuPrices = imp.taken;
  }
  return createCatalog({ tokenPrices: tokenPrices?.prices, gpuPrices });
}

/** A short name for where an offer's price comes from: `skypilot/lambda`, or the page's host and path. */
function sourceLabel(o: GpuOffer): string {
  const sky = /^SkyPilot catalog (\S+)/.exec(o.source);
  if (sky) return `skypilot/${sky[1]}`;
  const url = /https?:\/\/([^\s)]+)/.exec(o.source);
  return url ? url[1].replace(/^www\./, '').replace(/\/$/, '') : o.source;
}

function printLookup(r: GpuLookup, io: Io): void {
  const rows = r.offers.map((o) => [
    o.provider, o.region, o.instanceType ?? '-', o.gpuCount === undefined ? '-' : String(o.gpuCount),
    usd(o.onDemandMicrosPerHour === undefined ? undefined : microsToUsd(o.onDemandMicrosPerHour)),
    usd(o.spotMicrosPerHour === undefined ? undefined : microsToUsd(o.spotMicrosPerHour)),
    `${sourceLabel(o)}${o.estimate ? ' (estimate)' : ''}`, `${o.asOf}${o.stale ? ' STALE' : ''}`,
  ]);
  io.out(`${r.gpu}${r.known ? '' : ' (no specs in the catalog: prices only)'}: ${r.offers.length} offers, per GPU-hour, cheapest first`);
  io.out(table(['PROVIDER', 'REGION', 'INSTANCE', 'GPUS', 'ON-DEMAND', 'SPOT', 'SOURCE', 'AS OF'], rows, { right: [3, 4, 5] }));
  io.out('');
  for (const s of r.sources) {
    const fix = s.name === 'skypilot' ? 'refresh it: lutflow lookup --refresh' : 'prefer the newer sources';
    io.out(`source ${s.name}: ${s.offers} offers, as of ${s.asOf}${s.stale ? ` (STALE: ${fix})` : ''}; ${s.source}`);
    if (s.warnings.length) io.err(`  ${s.name}: ${s.warnings.length} rows skipped, e.g. ${s.warnings[0]}`);
  }
  for (const f of r.failed) io.out(`source ${f.name}: no answer (${f.error})`);
}

const offerJson = (o: GpuOffer & { stale: boolean }) => ({
  gpu: o.gpu, provider: o.provider, region: o.region, instance: o.instanceType ?? null, gpus: o.gpuCount ?? null,
  on_demand_usd_per_gpu_hour: o.onDemandMicrosPerHour === undefined ? null : microsToUsd(o.onDemandMicrosPerHour),
  spot_usd_per_gpu_hour: o.spotMicrosPerHour === undefined ? null : microsToUsd(o.spotMicrosPerHour),
  source: o.source, as_of: o.asOf, stale: o.stale, estimate: !!o.estimate,
});

const command: Command = {
  summary: 'look up catalogs',
  usage,
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      litellm: { type: 'string' }, skypilot: { type: 'string' }, provider: { type: 'string' }, spot: { type: 'boolean' },
      gpu: { type: 'string' }, json: { type: 'boolean' }, 'skypilot-dir': { type: 'string' }, offline: { type: 'boolean' },
      refresh: { type: 'boolean' },
    });
    const specs = createGpuSpecTable();
    const dir = values['skypilot-dir'] ?? skypilotCacheDir();
    if (values.refresh) {
      const r = await refreshSkyPilotCatalogs({ dir, baseUrl: process.env.LUTFLOW_SKYPILOT_URL || undefined });
      for (const f of r.fetched) io.err(`fetched ${f.cloud} (${f.bytes} bytes)`);
      for (const f of r.failed) io.err(`failed ${f.cloud}: ${f.error}`);
      io.out(`SkyPilot catalogs in ${r.dir}: ${r.fetched.length} fetched, ${r.failed.length} failed`);
      if (!r.fetched.length) throw new Error('no catalog could be fetched');
      if (!values.gpu) return;
    } else if (values.gpu && !values.offline && !existsSync(dir)) {
      // The first lookup fills the cache, so that the default answer has every cloud; without a network it goes on.
      io.err(`no SkyPilot catalogs in ${dir} yet: fetching them (--offline to skip)`);
      const r = await refreshSkyPilotCatalogs({ dir, baseUrl: process.env.LUTFLOW_SKYPILOT_URL || undefined, timeoutMs: 10_000 });
      if (!r.fetched.length) io.err(`could not fetch them (${r.failed[0]?.error}); answering from the other sources`);
    }
    if (values.gpu) {
      if (positionals.length) throw new UsageError(`--gpu takes no other arguments (got '${positionals.join(' ')}')`);
      const sources = priceSources({ specs, skypilotDir: dir, offline: values.offline });
      const r = await lookupGpuPrices(sources, values.gpu, { specs, skypilotDir: dir, spot: values.spot, maxAgeDays: maxPriceAgeDays() });
      if (values.json) {
        io.out(JSON.stringify({
          gpu: r.gpu, known: r.known, offers: r.offers.map(offerJson),
          sources: r.sources.map((s) => ({ name: s.name, source: s.source, as_of: s.asOf, stale: s.stale, offers: s.offers, skipped_rows: s.warnings.length })),
          failed: r.failed,
        }, null, 2));
      } else printLookup(r, io);
      return;
    }
    const [what, name] = positionals;
    if (!what || !name) throw new UsageError('expected --gpu NAME, --refresh, or <what> NAME');
    const catalog = catalogFrom(values, io);
    if (what === 'gpu') {
      const spec = catalog.gpus.get(name);
      const key = (p: { on_demand_usd_per_gpu_hour: number; spot_usd_per_gpu_hour: number | null }) => (values.spot ? p.spot_usd_per_gpu_hour ?? Infinity : p.on_demand_usd_per_gpu_hour);
      const prices = catalog.gpuPrices.all(spec.id)
        .filter((p) => !values.provider || p.provider === values.provider)
        .map((p) => ({
          provider: p.provider, region: p.region, instance: p.instanceType, on_demand_usd_per_gpu_hour: microsToUsd(p.onDemandMicrosPerHour),
          spot_usd_per_gpu_hour: p.spotMicrosPerHour === undefined ? null : microsToUsd(p.spotMicrosPerHour), as_of: p.asOf, source: p.source, estimate: !!p.estimate,
        }))
        .sort((a, b) => key(a) - key(b));
      io.out(JSON.stringify({ gpu: spec, prices }, null, 2));
    } else if (what === 'model') {
      io.out(JSON.stringify(catalog.models.get(name), null, 2));
    } else if (what === 'price') {
      const p = catalog.tokenPrices.get(name);
      const m = (v: number | undefined) => (v === undefined ? null : microsToUsd(v));
      io.out(JSON.stringify({
        model: p.id, provider: p.provider, as_of: p.asOf, source: p.source, context_window: p.contextWindow, max_output_tokens: p.maxOutputTokens,
        usd_per_million_tokens: {
          input: m(p.input), output: m(p.output), cached_input: m(p.cachedInput), cache_write_5m: m(p.cacheWrite5m), cache_write_1h: m(p.cacheWrite1h),
          reasoning: m(p.reasoning), batch_input: m(p.batchInput), batch_output: m(p.batchOutput),
        },
        long_context: p.longContext
          ? { above_tokens: p.longContext.thresholdTokens, input: m(p.longContext.input), output: m(p.longContext.output), cached_input: m(p.longContext.cachedInput) }
          : null,
      }, null, 2));
    } else {
      throw new UsageError(`unknown lookup '${what}': expected gpu, model or price`);
    }
  },
};
export default command;
