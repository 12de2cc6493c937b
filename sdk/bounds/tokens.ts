/** Counts a text's tokens, or an upper bound of them. */
export type TokenCounter = (text: string) => number;

/**
 * Any byte-level BPE or SentencePiece tokenizer with byte fallback spends at least one UTF-8 byte per
 * token, so the byte count is a proven upper bound where the tokenizer is not public.
 */
export const utf8Bytes: TokenCounter = (text) => Buffer.byteLength(text, 'utf8');

type Encoding = 'o200k_base' | 'cl100k_base';
const O200K = /^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o\d|gpt-oss|codex|computer-use)/;
const CL100K = /^(gpt-4|gpt-3\.5|text-embedding-3|text-embedding-ada)/;

/** The public tokenizer of an OpenAI model, by its family; undefined for anything else. */
export function openAiEncoding(model: string): Encoding | undefined {
  const m = model.toLowerCase();
  return O200K.test(m) ? 'o200k_base' : CL100K.test(m) ? 'cl100k_base' : undefined;
}

type Count = (text: string, opts: { disallowedSpecial: Set<string> }) => number;
const loaded = new Map<Encoding, Promise<TokenCounter>>();
/** Text that looks like a special token (`<|endoftext|>`) is counted as the ordinary text the API also sees. */
const PLAIN = { disallowedSpecial: new Set<string>() };
/**
 * Counts are kept: system prompts, tool schemas and chat history come back call after call. The cache
 * holds at most this many characters (oldest out first).
 */
const CACHE_CHARS = 8_000_000;
const ready = new Map<Encoding, TokenCounter>();

/** The exact tokenizer, loaded once on first use (about 250 ms per encoding). */
export function exactCounter(encoding: Encoding): Promise<TokenCounter> {
  let p = loaded.get(encoding);
  if (!p) {
    const mod = encoding === 'o200k_base' ? import('gpt-tokenizer/encoding/o200k_base') : import('gpt-tokenizer/encoding/cl100k_base');
    p = mod.then((m) => {
      const counter = cached((m.countTokens as Count).bind(m));
      ready.set(encoding, counter);
      return counter;
    });
    loaded.set(encoding, p);
  }
  return p;
}

/** Text the tokenizer cannot take (it throws) is bounded by its bytes, which no byte-level BPE undercounts. */
function safely(count: Count, text: string): number {
  try {
    return count(text, PLAIN);
  } catch {
    return utf8Bytes(text);
  }
}

function cached(count: Count): TokenCounter {
  const memo = new Map<string, number>();
  let chars = 0;
  return (text) => {
    const hit = memo.get(text);
    if (hit !== undefined) return hit;
    const n = safely(count, text);
    if (text.length > CACHE_CHARS / 16) return n;
    memo.set(text, n);
    chars += text.length;
    for (const k of memo.keys()) {
      if (chars <= CACHE_CHARS) break;
      memo.delete(k);
      chars -= k.length;
    }
    return n;
  };
}

/** The counter for a model: its public tokenizer when known, else UTF-8 bytes. */
export function counterFor(model: string): TokenCounter | Promise<TokenCounter> {
  const enc = openAiEncoding(model);
  return enc ? ready.get(enc) ?? exactCounter(enc) : utf8Bytes;
}
