import type { NormalizedUsage } from '../../../pricing/index.js';
import type { Json } from '../types.js';

/**
 * Messages API: input_tokens excludes cache reads and writes; writes may be split into 5-minute and
 * 1-hour TTLs (`cache_creation`); without the split they are 5-minute writes.
 */
export function messagesUsage(u: Json | undefined | null): NormalizedUsage | undefined {
  if (!u) return undefined;
  const split = u.cache_creation;
  const w5 = split ? split.ephemeral_5m_input_tokens ?? 0 : u.cache_creation_input_tokens ?? undefined;
  const w1 = split ? split.ephemeral_1h_input_tokens ?? 0 : undefined;
  const read = u.cache_read_input_tokens ?? undefined;
  const known = u.input_tokens !== undefined;
  return {
    input: { noCache: u.input_tokens, cacheRead: read, cacheWrite5m: w5, cacheWrite1h: w1, total: known ? u.input_tokens + (read ?? 0) + (w5 ?? 0) + (w1 ?? 0) : undefined },
    output: { total: u.output_tokens },
  };
}
