import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  BUILTIN_TOKEN_PRICES, bundledPriceDatabase, createTokenPriceTable, customTokenPrice, loadPriceDatabase,
  type Catalog, type PriceDatabase, type TokenPrice,
} from '../pricing/index.js';

/** Where `lutflow prices update` keeps a refreshed copy of the price database. */
export function defaultPricesCache(env: NodeJS.ProcessEnv = process.env): string {
  return env.LUTFLOW_PRICES_CACHE || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'lutflow', 'genai-prices.json');
}

export interface PriceLookupOptions {
  readonly catalog: Catalog;
  readonly customPrices?: Readonly<Record<string, { inputUsdPerMtok: number; outputUsdPerMtok: number }>>;
  readonly fallbackModel?: string;
  /** A refreshed database copy; the bundled one when absent or missing. */
  readonly pricesCache?: string;
  readonly warn: (message: string) => void;
}

/**
 * Which price a call is charged at, in this order: the client's custom prices; the curated, checked
 * table (it wins over any imported source, so a database's gap, such as LiteLLM's $0 claude-opus-4-1,
 * never leaks through); the catalog's overlays; the maintained price database (offline); the
 * configured fallback model, with a warning. Otherwise the call is refused, never priced at $0.
 */
export class PriceLookup {
  private readonly custom = new Map<string, TokenPrice>();
  private readonly curated = createTokenPriceTable(BUILTIN_TOKEN_PRICES);
  private readonly warned = new Set<string>();
  private database?: Promise<PriceDatabase>;

  constructor(private readonly o: PriceLookupOptions) {
    for (const [model, p] of Object.entries(o.customPrices ?? {})) this.custom.set(model, customTokenPrice(model, p.inputUsdPerMtok, p.outputUsdPerMtok));
  }

  hasCustom(model: string): boolean {
    return this.custom.has(model);
  }

  /** The price, when it is known without the database (no await on the common path). */
  known(model: string): TokenPrice | undefined {
    return this.custom.get(model) ?? this.curated.find(model) ?? this.o.catalog.tokenPrices.find(model);
  }

  async find(model: string, where: { provider?: string; apiUrl?: string } = {}): Promise<TokenPrice> {
    const known = this.known(model);
    if (known) return known;
    const fromDb = (await this.db()).find(model, where);
    if (fromDb) return fromDb;
    if (this.o.fallbackModel) {
      if (!this.warned.has(model)) {
        this.warned.add(model);
        this.o.warn(`lutflow: no price for model '${model}'; pricing it as '${this.o.fallbackModel}'`);
      }
      return this.o.catalog.tokenPrices.get(this.o.fallbackModel, 'fallbackModel');
    }
    return this.o.catalog.tokenPrices.get(model, 'model');
  }

  db(): Promise<PriceDatabase> {
    const cache = this.o.pricesCache;
    this.database ??= cache && existsSync(cache) ? Promise.resolve().then(() => loadPriceDatabase(cache)) : bundledPriceDatabase();
    return this.database;
  }
}
