import type { TokenCounter } from './tokens.js';

/** Tokens of a media part (an image), or undefined when the node is not one. */
export type MediaBound = (node: Record<string, unknown>) => number | undefined;

/**
 * Upper bound of the tokens in a request structure: every string leaf counted (structural values such
 * as roles and part types too, which only overcounts), media parts by their own bound.
 */
export function walkTokens(v: unknown, count: TokenCounter, media?: MediaBound): number {
  if (typeof v === 'string') return count(v);
  if (Array.isArray(v)) {
    let n = 0;
    for (const x of v) n += walkTokens(x, count, media);
    return n;
  }
  if (v && typeof v === 'object') {
    const m = media?.(v as Record<string, unknown>);
    if (m !== undefined) return m;
    let n = 0;
    for (const x of Object.values(v)) n += walkTokens(x, count, media);
    return n;
  }
  return 0;
}

/** Schemas (tools, response formats) are read by the model keys and all: counted as their JSON text. */
export function jsonTokens(v: unknown, count: TokenCounter): number {
  return v === undefined || v === null ? 0 : count(JSON.stringify(v));
}
