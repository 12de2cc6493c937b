import type { NormalizedUsage } from '../../../pricing/index.js';
import type { Json } from '../types.js';

/** Chat Completions and Embeddings: prompt_tokens includes cached tokens; completion_tokens includes reasoning. */
export function chatUsage(u: Json | undefined | null): NormalizedUsage | undefined {
  if (!u) return undefined;
  const cached = u.prompt_tokens_details?.cached_tokens;
  return {
    input: { total: u.prompt_tokens, cacheRead: cached, noCache: u.prompt_tokens === undefined ? undefined : u.prompt_tokens - (cached ?? 0) },
    output: { total: u.completion_tokens ?? (u.prompt_tokens !== undefined ? 0 : undefined), reasoning: u.completion_tokens_details?.reasoning_tokens },
  };
}

/** Responses API: input_tokens includes cached; output_tokens includes reasoning. */
export function responsesUsage(u: Json | undefined | null): NormalizedUsage | undefined {
  if (!u) return undefined;
  const cached = u.input_tokens_details?.cached_tokens;
  return {
    input: { total: u.input_tokens, cacheRead: cached, noCache: u.input_tokens === undefined ? undefined : u.input_tokens - (cached ?? 0) },
    output: { total: u.output_tokens, reasoning: u.output_tokens_details?.reasoning_tokens },
  };
}
