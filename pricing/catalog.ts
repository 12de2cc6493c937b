import { createGpuPriceTable, type GpuPriceTable, type GpuPrice } from './gpu-prices.js';
import { createGpuSpecTable, type GpuSpecTable, GPU_SPECS, type GpuSpec } from './gpu-specs.js';
import { createModelSpecTable, type ModelSpecTable, MODEL_SPECS, type ModelSpec } from './models.js';
import { BUILTIN_TOKEN_PRICES, createTokenPriceTable, type TokenPrice, type TokenPriceTable } from './token-prices.js';

/** Everything the rest of Lutflow looks prices and hardware up in. */
export interface Catalog {
  readonly gpus: GpuSpecTable;
  readonly gpuPrices: GpuPriceTable;
  readonly models: ModelSpecTable;
  readonly tokenPrices: TokenPriceTable;
}

/** The catalog entries a model name resolves to (what it is priced as), for model policies. */
export function pricedAs(catalog: Catalog, name: string): string[] {
  const ids = [catalog.tokenPrices.find(name)?.id, catalog.models.find(name)?.id].filter((id): id is string => id !== undefined);
  return [...new Set(ids)];
}

export interface CatalogOptions {
  /** Token prices that take precedence over the built-in ones (e.g. a newer LiteLLM file). */
  readonly tokenPrices?: readonly TokenPrice[];
  /** GPU prices added to the built-in ones (e.g. a SkyPilot catalog). */
  readonly gpuPrices?: readonly GpuPrice[];
  readonly gpuSpecs?: readonly GpuSpec[];
  readonly modelSpecs?: readonly ModelSpec[];
}

/** The offline catalog: built-in tables, overlaid with whatever the options bring. */
export function createCatalog(opts: CatalogOptions = {}): Catalog {
  const gpus = createGpuSpecTable(opts.gpuSpecs ?? GPU_SPECS);
  const builtinGpuPrices = createGpuPriceTable(gpus).all();
  return {
    gpus,
    gpuPrices: createGpuPriceTable(gpus, [...(opts.gpuPrices ?? []), ...builtinGpuPrices]),
    models: createModelSpecTable(opts.modelSpecs ?? MODEL_SPECS),
    tokenPrices: createTokenPriceTable([...(opts.tokenPrices ?? []), ...BUILTIN_TOKEN_PRICES], opts.tokenPrices ? 'first-wins' : 'throw'),
  };
}

let defaultCatalog: Catalog | undefined;

export function builtinCatalog(): Catalog {
  return (defaultCatalog ??= createCatalog());
}
