import type { NormalizedUsage } from '../../../pricing/index.js';
import type { Json } from '../types.js';

/** Gemini usageMetadata: promptTokenCount includes cached content; thoughts are billed as output. */
export function geminiUsage(u: Json | undefined | null): NormalizedUsage | undefined {
  if (!u || u.promptTokenCount === undefined) return undefined;
  const cached = u.cachedContentTokenCount;
  const out = u.candidatesTokenCount;
  const thoughts = u.thoughtsTokenCount;
  return {
    input: { total: u.promptTokenCount, cacheRead: cached, noCache: u.promptTokenCount - (cached ?? 0) },
    output: { total: out === undefined && thoughts === undefined ? undefined : (out ?? 0) + (thoughts ?? 0), reasoning: thoughts },
  };
}
