import { utf8Bytes, type TokenCounter } from '../../bounds/tokens.js';
import { imageSize } from '../../bounds/images.js';
import { jsonTokens, walkTokens, type MediaBound } from '../../bounds/walk.js';
import type { Json } from '../types.js';

/**
 * Prompt bounds for Gemini (wire format), whose tokenizer is not public: UTF-8 bytes plus framing.
 * Inline images: 258 tokens up to 384 px, else 258 per crop tile (crop unit = shorter side / 1.5),
 * and never under the 1,120 of Gemini 3's high media resolution. Media known only by URI (uploaded
 * files, video, audio) cannot be bounded from the request: each is held at `UNKNOWN_MEDIA_TOKENS`.
 */
const PER_CONTENT = 4;
const FRAMING = 8;
const IMAGE_TILE = 258;
const MIN_IMAGE = 1_120;
export const UNKNOWN_MEDIA_TOKENS = 16_000;

export const mediaTokens: MediaBound = (node) => {
  const inline = node.inlineData as Json | undefined;
  if (inline && typeof inline.data === 'string') {
    const size = String(inline.mimeType ?? '').startsWith('image/') ? imageSize(inline.data) : undefined;
    if (!size) return UNKNOWN_MEDIA_TOKENS;
    if (size.width <= 384 && size.height <= 384) return MIN_IMAGE;
    const crop = Math.max(1, Math.floor(Math.min(size.width, size.height) / 1.5));
    return Math.max(MIN_IMAGE, IMAGE_TILE * Math.ceil(size.width / crop) * Math.ceil(size.height / crop));
  }
  return node.fileData ? UNKNOWN_MEDIA_TOKENS : undefined;
};

export function contentsPromptBound(b: Json): { tokens: number; count: TokenCounter } {
  const count = utf8Bytes;
  const contents = Array.isArray(b.contents) ? b.contents : b.contents ? [b.contents] : [];
  let tokens = FRAMING + walkTokens(b.systemInstruction ?? '', count, mediaTokens) + jsonTokens(b.tools, count) + jsonTokens(b.toolConfig, count);
  for (const c of contents) tokens += PER_CONTENT + walkTokens(c, count, mediaTokens);
  return { tokens, count };
}

/** embedContent (`content`) and batchEmbedContents (`requests[].content`). */
export function embedPromptBound(b: Json): { tokens: number; count: TokenCounter } {
  const parts = b.requests ? b.requests.map((r: Json) => r.content) : [b.content];
  return { tokens: walkTokens(parts, utf8Bytes, mediaTokens), count: utf8Bytes };
}
