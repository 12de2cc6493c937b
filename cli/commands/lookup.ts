import { createCatalog, loadLiteLlmPrices, loadSkyPilotCatalog, createGpuSpecTable, microsToUsd, type Catalog, type GpuPrice } from '../../pricing/index.js';
import { parse, UsageError, type Command, type Io } from '../command.js';

const usage = `usage: lutflow lookup <what> NAME [options]

  gpu NAME          GPU specs and every known hourly price (cheapest first)
  model NAME        open-model specs (parameters, precision, context, shape)
  price MODEL       token prices of an API model (µ$ per million tokens shown as USD)

options:
  --litellm FILE        overlay token prices from a LiteLLM model_prices_and_context_window.json
  --skypilot FILE       add GPU prices from a SkyPilot catalog vms.csv (needs --provider)
  --provider NAME       provider of the --skypilot file; with 'gpu', only this provider's prices
  --spot                with 'gpu': rank by spot price

Names are normalised ('nvidia-l4', 'L4' and 'NVIDIA L4 GPU' are one GPU); an unknown name
fails with the closest known names.`;

function catalogFrom(values: { litellm?: string; skypilot?: string; provider?: string }, io: Io): Catalog {
  const tokenPrices = values.litellm ? loadLiteLlmPrices(values.litellm) : undefined;
  if (tokenPrices) io.err(`litellm: ${tokenPrices.prices.length} priced models taken, ${tokenPrices.skipped.length} entries skipped (not priced per token)`);
  let gpuPrices: GpuPrice[] | undefined;
  if (values.skypilot) {
    if (!values.provider) throw new UsageError('--skypilot needs --provider');
    const imp = loadSkyPilotCatalog(values.skypilot, values.provider, createGpuSpecTable(), new Date().toISOString().slice(0, 10));
    io.err(`skypilot: ${imp.taken.length} GPU offers taken, ${imp.notGpu} CPU-only rows, ${imp.rejected.length} rejected${imp.rejected.length ? `: ${imp.rejected.slice(0, 3).map((r) => `line ${r.line}: ${r.reason}`).join('; ')}` : ''}`);
    gpuPrices = imp.taken;
  }
  return createCatalog({ tokenPrices: tokenPrices?.prices, gpuPrices });
}

const command: Command = {
  summary: 'look up catalogs',
  usage,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { litellm: { type: 'string' }, skypilot: { type: 'string' }, provider: { type: 'string' }, spot: { type: 'boolean' } });
    const [what, name] = positionals;
    if (!what || !name) throw new UsageError('expected <what> NAME');
    const catalog = catalogFrom(values, io);
    if (what === 'gpu') {
      const spec = catalog.gpus.get(name);
      const prices = catalog.gpuPrices.all(spec.id)
        .filter((p) => !values.provider || p.provider === values.provider)
        .map((p) => ({ provider: p.provider, region: p.region, instance: p.instanceType, on_demand_usd_per_gpu_hour: microsToUsd(p.onDemandMicrosPerHour), spot_usd_per_gpu_hour: p.spotMicrosPerHour === undefined ? null : microsToUsd(p.spotMicrosPerHour), as_of: p.asOf, source: p.source, estimate: !!p.estimate }))
        .sort((a, b) => (values.spot ? (a.spot_usd_per_gpu_hour ?? Infinity) - (b.spot_usd_per_gpu_hour ?? Infinity) : a.on_demand_usd_per_gpu_hour - b.on_demand_usd_per_gpu_hour));
      io.out(JSON.stringify({ gpu: spec, prices }, null, 2));
    } else if (what === 'model') {
      io.out(JSON.stringify(catalog.models.get(name), null, 2));
    } else if (what === 'price') {
      const p = catalog.tokenPrices.get(name);
      const usd = (m: number | undefined) => (m === undefined ? null : microsToUsd(m));
      io.out(JSON.stringify({
        model: p.id, provider: p.provider, as_of: p.asOf, source: p.source, context_window: p.contextWindow, max_output_tokens: p.maxOutputTokens,
        usd_per_million_tokens: { input: usd(p.input), output: usd(p.output), cached_input: usd(p.cachedInput), cache_write_5m: usd(p.cacheWrite5m), cache_write_1h: usd(p.cacheWrite1h), reasoning: usd(p.reasoning), batch_input: usd(p.batchInput), batch_output: usd(p.batchOutput) },
        long_context: p.longContext ? { above_tokens: p.longContext.thresholdTokens, input: usd(p.longContext.input), output: usd(p.longContext.output), cached_input: usd(p.longContext.cachedInput) } : null,
      }, null, 2));
    } else {
      throw new UsageError(`unknown lookup '${what}': expected gpu, model or price`);
    }
  },
};
export default command;
