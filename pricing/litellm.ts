import { readFileSync, statSync } from 'node:fs';
import { PricingError } from './errors.js';
import { usdToMicros, type Micros } from './money.js';
import type { TokenPrice } from './token-prices.js';

/** Providers whose own API entries win over resellers' (Vertex, Bedrock, Azure) when names collide. */
const DIRECT = ['openai', 'anthropic', 'gemini'];
const PRICED_MODES = new Set(['chat', 'completion', 'embedding', 'responses']);

export interface LiteLlmImport {
  readonly prices: TokenPrice[];
  /** Entries not taken, each with its reason (image models, entries without token prices, …). */
  readonly skipped: { key: string; reason: string }[];
}

/** µ$ per million tokens from LiteLLM's USD-per-token float; rounding is exact for prices with ≤ 12 decimals. */
function perTokenToMicros(v: unknown, field: string): Micros | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new PricingError('BAD_PRICE_FILE', `${field}: expected a non-negative number, got ${JSON.stringify(v)}`, { field });
  }
  return usdToMicros(Number((v * 1e6).toPrecision(12)), field);
}

function positiveInt(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
}

/**
 * Reads LiteLLM's `model_prices_and_context_window.json`. `asOf` is the date the file was taken,
 * since LiteLLM does not date its entries.
 */
export function parseLiteLlmPrices(json: unknown, asOf: string, source = 'litellm model_prices_and_context_window.json'): LiteLlmImport {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new PricingError('BAD_PRICE_FILE', 'LiteLLM price file: expected a JSON object keyed by model name');
  }
  const prices: TokenPrice[] = [];
  const skipped: LiteLlmImport['skipped'] = [];
  for (const [key, raw] of Object.entries(json as Record<string, unknown>)) {
    if (key === 'sample_spec') continue;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      skipped.push({ key, reason: 'not a model entry (not an object)' });
      continue;
    }
    const e = raw as Record<string, unknown>;
    const mode = typeof e.mode === 'string' ? e.mode : 'chat';
    if (!PRICED_MODES.has(mode)) {
      skipped.push({ key, reason: `mode '${mode}' is not priced per token` });
      continue;
    }
    const f = (name: string) => `${key}.${name}`;
    const input = perTokenToMicros(e.input_cost_per_token, f('input_cost_per_token'));
    if (input === undefined) {
      skipped.push({ key, reason: 'no input_cost_per_token' });
      continue;
    }
    const output = perTokenToMicros(e.output_cost_per_token, f('output_cost_per_token')) ?? 0;
    const context = positiveInt(e.max_input_tokens) ?? positiveInt(e.max_tokens);
    if (context === undefined) {
      skipped.push({ key, reason: 'no max_input_tokens or max_tokens' });
      continue;
    }
    const longIn = perTokenToMicros(e.input_cost_per_token_above_200k_tokens, f('input_cost_per_token_above_200k_tokens'));
    const long128In = perTokenToMicros(e.input_cost_per_token_above_128k_tokens, f('input_cost_per_token_above_128k_tokens'));
    const longCtx = longIn !== undefined
      ? { thresholdTokens: 200_000, input: longIn, output: perTokenToMicros(e.output_cost_per_token_above_200k_tokens, f('output_cost_per_token_above_200k_tokens')) ?? output, cachedInput: perTokenToMicros(e.cache_read_input_token_cost_above_200k_tokens, f('cache_read_input_token_cost_above_200k_tokens')) }
      : long128In !== undefined
        ? { thresholdTokens: 128_000, input: long128In, output: perTokenToMicros(e.output_cost_per_token_above_128k_tokens, f('output_cost_per_token_above_128k_tokens')) ?? output }
        : undefined;
    const reasoning = perTokenToMicros(e.output_cost_per_reasoning_token, f('output_cost_per_reasoning_token'));
    prices.push({
      id: key,
      provider: typeof e.litellm_provider === 'string' ? e.litellm_provider : 'unknown',
      asOf,
      source,
      contextWindow: context,
      maxOutputTokens: positiveInt(e.max_output_tokens) ?? positiveInt(e.max_tokens) ?? context,
      input,
      output,
      cachedInput: perTokenToMicros(e.cache_read_input_token_cost, f('cache_read_input_token_cost')),
      cacheWrite5m: perTokenToMicros(e.cache_creation_input_token_cost, f('cache_creation_input_token_cost')),
      cacheWrite1h: perTokenToMicros(e.cache_creation_input_token_cost_above_1hr, f('cache_creation_input_token_cost_above_1hr')),
      reasoning: reasoning !== undefined && reasoning !== output ? reasoning : undefined,
      batchInput: perTokenToMicros(e.input_cost_per_token_batches, f('input_cost_per_token_batches')),
      batchOutput: perTokenToMicros(e.output_cost_per_token_batches, f('output_cost_per_token_batches')),
      longContext: longCtx,
    });
  }
  const rank = (p: TokenPrice) => (DIRECT.includes(p.provider) ? 0 : 1);
  prices.sort((a, b) => rank(a) - rank(b));
  return { prices, skipped };
}

export function loadLiteLlmPrices(path: string, asOf?: string): LiteLlmImport {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new PricingError('BAD_PRICE_FILE', `${path}: ${(err as Error).message}`, { field: path });
  }
  return parseLiteLlmPrices(json, asOf ?? statSync(path).mtime.toISOString().slice(0, 10), path);
}
