/**
 * Built-in token prices, typed from each provider's public pricing page on the date in `asOf`
 * and cross-checked against LiteLLM's price map (test/pricing/token-prices.test.ts).
 * Units: USD per million tokens. `long` applies once a prompt exceeds `above` tokens.
 * Batch prices are the providers' 50 % batch discount where they offer one.
 */
export interface TokenPriceRow {
  id: string;
  provider: 'openai' | 'anthropic' | 'gemini';
  aliases?: string[];
  asOf: string;
  source: string;
  context: number;
  maxOutput: number;
  in: number;
  out: number;
  cached?: number;
  write5m?: number;
  write1h?: number;
  reasoning?: number;
  batchIn?: number;
  batchOut?: number;
  long?: { above: number; in: number; out: number; cached?: number };
}

const OPENAI = 'https://openai.com/api/pricing';
const ANTHROPIC = 'https://www.anthropic.com/pricing#api';
const GEMINI = 'https://ai.google.dev/gemini-api/docs/pricing';

const openai = (id: string, asOf: string, context: number, maxOutput: number, inp: number, cached: number | undefined, out: number, aliases?: string[]): TokenPriceRow => ({
  id, provider: 'openai', aliases, asOf, source: OPENAI, context, maxOutput, in: inp, out, cached, batchIn: inp / 2, batchOut: out / 2,
});

/** Anthropic: cache writes cost 1.25x input (5 minutes) and 2x input (1 hour); reads 0.1x. */
const anthropic = (id: string, asOf: string, maxOutput: number, inp: number, out: number, aliases: string[], long?: TokenPriceRow['long']): TokenPriceRow => ({
  id, provider: 'anthropic', aliases, asOf, source: ANTHROPIC, context: long ? 1_000_000 : 200_000, maxOutput,
  in: inp, out, cached: round6(inp * 0.1), write5m: round6(inp * 1.25), write1h: inp * 2, batchIn: inp / 2, batchOut: out / 2, long,
});

const gemini = (id: string, asOf: string, context: number, maxOutput: number, inp: number, cached: number | undefined, out: number, long?: TokenPriceRow['long']): TokenPriceRow => ({
  id, provider: 'gemini', asOf, source: GEMINI, context, maxOutput, in: inp, out, cached, batchIn: inp / 2, batchOut: out / 2, long,
});

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

export const TOKEN_PRICE_ROWS: TokenPriceRow[] = [
  openai('gpt-4o', '2024-10-01', 128_000, 16_384, 2.5, 1.25, 10, ['gpt-4o-2024-08-06', 'gpt-4o-2024-11-20', 'chatgpt-4o-latest']),
  openai('gpt-4o-2024-05-13', '2024-05-13', 128_000, 4_096, 5, undefined, 15),
  openai('gpt-4o-mini', '2024-07-18', 128_000, 16_384, 0.15, 0.075, 0.6),
  openai('gpt-4.1', '2025-04-14', 1_047_576, 32_768, 2, 0.5, 8),
  openai('gpt-4.1-mini', '2025-04-14', 1_047_576, 32_768, 0.4, 0.1, 1.6),
  openai('gpt-4.1-nano', '2025-04-14', 1_047_576, 32_768, 0.1, 0.025, 0.4),
  openai('o1', '2024-12-17', 200_000, 100_000, 15, 7.5, 60),
  openai('o1-mini', '2024-09-12', 128_000, 65_536, 1.1, 0.55, 4.4),
  openai('o1-pro', '2025-03-19', 200_000, 100_000, 150, undefined, 600),
  openai('o3', '2025-06-10', 200_000, 100_000, 2, 0.5, 8),
  openai('o3-mini', '2025-01-31', 200_000, 100_000, 1.1, 0.55, 4.4),
  openai('o3-pro', '2025-06-10', 200_000, 100_000, 20, undefined, 80),
  openai('o4-mini', '2025-04-16', 200_000, 100_000, 1.1, 0.275, 4.4),
  openai('gpt-5', '2025-08-07', 400_000, 128_000, 1.25, 0.125, 10, ['gpt-5-chat-latest']),
  openai('gpt-5-mini', '2025-08-07', 400_000, 128_000, 0.25, 0.025, 2),
  openai('gpt-5-nano', '2025-08-07', 400_000, 128_000, 0.05, 0.005, 0.4),
  openai('gpt-5-pro', '2025-10-06', 400_000, 272_000, 15, undefined, 120),
  openai('gpt-5.1', '2025-11-13', 400_000, 128_000, 1.25, 0.125, 10),
  { id: 'text-embedding-3-small', provider: 'openai', asOf: '2024-01-25', source: OPENAI, context: 8_191, maxOutput: 0, in: 0.02, out: 0, batchIn: 0.01, batchOut: 0 },
  { id: 'text-embedding-3-large', provider: 'openai', asOf: '2024-01-25', source: OPENAI, context: 8_191, maxOutput: 0, in: 0.13, out: 0, batchIn: 0.065, batchOut: 0 },

  { ...anthropic('claude-3-haiku', '2024-03-07', 4_096, 0.25, 1.25, ['claude-3-haiku-20240307']), cached: 0.03, write5m: 0.3, write1h: 0.5 },
  anthropic('claude-3-opus', '2024-02-29', 4_096, 15, 75, ['claude-3-opus-20240229']),
  anthropic('claude-3-5-haiku', '2024-10-22', 8_192, 0.8, 4, ['claude-3-5-haiku-20241022', 'claude-3.5-haiku']),
  anthropic('claude-3-5-sonnet', '2024-10-22', 8_192, 3, 15, ['claude-3-5-sonnet-20241022', 'claude-3-5-sonnet-20240620', 'claude-3.5-sonnet']),
  anthropic('claude-3-7-sonnet', '2025-02-19', 64_000, 3, 15, ['claude-3-7-sonnet-20250219', 'claude-3.7-sonnet']),
  anthropic('claude-sonnet-4', '2025-05-22', 64_000, 3, 15, ['claude-sonnet-4-20250514', 'claude-4-sonnet'], { above: 200_000, in: 6, out: 22.5, cached: 0.6 }),
  anthropic('claude-opus-4', '2025-05-22', 32_000, 15, 75, ['claude-opus-4-20250514', 'claude-4-opus']),
  anthropic('claude-opus-4-1', '2025-08-05', 32_000, 15, 75, ['claude-opus-4-1-20250805', 'claude-opus-4.1']),
  anthropic('claude-sonnet-4-5', '2025-09-29', 64_000, 3, 15, ['claude-sonnet-4-5-20250929', 'claude-sonnet-4.5'], { above: 200_000, in: 6, out: 22.5, cached: 0.6 }),
  anthropic('claude-haiku-4-5', '2025-10-15', 64_000, 1, 5, ['claude-haiku-4-5-20251001', 'claude-haiku-4.5']),
  anthropic('claude-opus-4-5', '2025-11-24', 64_000, 5, 25, ['claude-opus-4-5-20251101', 'claude-opus-4.5']),

  gemini('gemini-1.5-flash', '2024-10-01', 1_048_576, 8_192, 0.075, 0.01875, 0.3, { above: 128_000, in: 0.15, out: 0.6, cached: 0.0375 }),
  gemini('gemini-1.5-flash-8b', '2024-10-03', 1_048_576, 8_192, 0.0375, 0.01, 0.15, { above: 128_000, in: 0.075, out: 0.3, cached: 0.02 }),
  gemini('gemini-1.5-pro', '2024-10-01', 2_097_152, 8_192, 1.25, 0.3125, 5, { above: 128_000, in: 2.5, out: 10, cached: 0.625 }),
  gemini('gemini-2.0-flash', '2025-02-05', 1_048_576, 8_192, 0.1, 0.025, 0.4),
  gemini('gemini-2.0-flash-lite', '2025-02-25', 1_048_576, 8_192, 0.075, 0.01875, 0.3),
  gemini('gemini-2.5-flash', '2025-06-17', 1_048_576, 65_535, 0.3, 0.03, 2.5),
  gemini('gemini-2.5-flash-lite', '2025-07-22', 1_048_576, 65_535, 0.1, 0.01, 0.4),
  gemini('gemini-2.5-pro', '2025-06-17', 1_048_576, 65_535, 1.25, 0.125, 10, { above: 200_000, in: 2.5, out: 15, cached: 0.25 }),
];
