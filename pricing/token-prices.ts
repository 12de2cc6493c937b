import { NameRegistry, normaliseName } from './names.js';
import { usdToMicros, type Micros } from './money.js';
import { TOKEN_PRICE_ROWS, type TokenPriceRow } from './token-prices.data.js';

export type TokenProvider = 'openai' | 'anthropic' | 'gemini' | (string & {});

/** One model's token prices, all in integer µ$ per million tokens. */
export interface TokenPrice {
  readonly id: string;
  readonly provider: TokenProvider;
  readonly aliases?: readonly string[];
  /** The date these prices were true (YYYY-MM-DD). */
  readonly asOf: string;
  readonly source: string;
  readonly contextWindow: number;
  readonly maxOutputTokens: number;
  readonly input: Micros;
  readonly output: Micros;
  readonly cachedInput?: Micros;
  readonly cacheWrite5m?: Micros;
  readonly cacheWrite1h?: Micros;
  /** Only where reasoning tokens are billed differently from output tokens. */
  readonly reasoning?: Micros;
  readonly batchInput?: Micros;
  readonly batchOutput?: Micros;
  /** A fee per request on top of tokens (some hosts charge one). */
  readonly perRequest?: Micros;
  /** Prices that apply to the whole request once its prompt exceeds `thresholdTokens`. */
  readonly longContext?: { readonly thresholdTokens: number; readonly input: Micros; readonly output: Micros; readonly cachedInput?: Micros };
}

const opt = (usd: number | undefined, field: string): Micros | undefined => (usd === undefined ? undefined : usdToMicros(usd, field));

/** Rows are typed in $/Mtok for readability; this turns one into exact µ$/Mtok. */
export function tokenPriceFromRow(r: TokenPriceRow): TokenPrice {
  const f = (k: string) => `${r.id}.${k}`;
  return {
    id: r.id,
    provider: r.provider,
    aliases: r.aliases,
    asOf: r.asOf,
    source: r.source,
    contextWindow: r.context,
    maxOutputTokens: r.maxOutput,
    input: usdToMicros(r.in, f('in')),
    output: usdToMicros(r.out, f('out')),
    cachedInput: opt(r.cached, f('cached')),
    cacheWrite5m: opt(r.write5m, f('write5m')),
    cacheWrite1h: opt(r.write1h, f('write1h')),
    reasoning: opt(r.reasoning, f('reasoning')),
    batchInput: opt(r.batchIn, f('batchIn')),
    batchOutput: opt(r.batchOut, f('batchOut')),
    longContext: r.long && {
      thresholdTokens: r.long.above,
      input: usdToMicros(r.long.in, f('long.in')),
      output: usdToMicros(r.long.out, f('long.out')),
      cachedInput: opt(r.long.cached, f('long.cached')),
    },
  };
}

/** `claude-sonnet-4-5-20250929` and `gpt-4o-2024-08-06` fall back to their family id when no dated entry exists. */
export function dropDateSuffix(name: string): string {
  return name.replace(/[-@](\d{8}|\d{4}-\d{2}-\d{2})$/, '').replace(/-(latest|preview|exp)$/, '');
}

function tokenModelKey(name: string): string {
  const bare = name.includes('/') ? name.slice(name.lastIndexOf('/') + 1) : name;
  return normaliseName(bare);
}

export type TokenPriceTable = NameRegistry<TokenPrice>;

export function createTokenPriceTable(prices: readonly TokenPrice[], duplicates: 'throw' | 'first-wins' = 'throw'): TokenPriceTable {
  return new NameRegistry(prices, 'UNKNOWN_TOKEN_MODEL', 'token-priced model', tokenModelKey, dropDateSuffix, duplicates);
}

export const BUILTIN_TOKEN_PRICES: readonly TokenPrice[] = TOKEN_PRICE_ROWS.map(tokenPriceFromRow);

/** A price for a model the catalog does not know (a self-hosted model behind an OpenAI-compatible API). */
export function customTokenPrice(id: string, inputUsdPerMtok: number, outputUsdPerMtok: number, asOf = new Date().toISOString().slice(0, 10)): TokenPrice {
  return {
    id, provider: 'custom', asOf, source: 'client options', contextWindow: Number.MAX_SAFE_INTEGER, maxOutputTokens: 4096,
    input: usdToMicros(inputUsdPerMtok, `${id}.inputUsdPerMtok`), output: usdToMicros(outputUsdPerMtok, `${id}.outputUsdPerMtok`),
  };
}
