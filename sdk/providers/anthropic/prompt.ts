import { utf8Bytes, type TokenCounter } from '../../bounds/tokens.js';
import { imageSize } from '../../bounds/images.js';
import { jsonTokens, walkTokens, type MediaBound } from '../../bounds/walk.js';
import type { Json } from '../types.js';

/**
 * Prompt bounds for Claude, whose tokenizer is not public: UTF-8 bytes (at least one per token) plus
 * framing. Images cost width x height / 750 tokens after Anthropic's resize; one whose size is not in
 * the request is held to the largest any current model accepts.
 */
const PER_MESSAGE = 8;
const FRAMING = 16;
/** The tool-use system prompt Anthropic adds when tools are given (a few hundred tokens, by model). */
const TOOL_SYSTEM_PROMPT = 800;
/** 2,576 px long edge at about 1.15 MP on the high-resolution models: under 4,800 tokens. */
const MAX_IMAGE_TOKENS = 4_800;

export const imageTokens: MediaBound = (node) => {
  if (node.type !== 'image') return undefined;
  const src = node.source as Json | undefined;
  const size = src?.type === 'base64' && typeof src.data === 'string' ? imageSize(src.data) : undefined;
  return size ? Math.min(MAX_IMAGE_TOKENS, Math.ceil((size.width * size.height) / 750)) : MAX_IMAGE_TOKENS;
};

export function messagesPromptBound(b: Json): { tokens: number; count: TokenCounter } {
  const count = utf8Bytes;
  let tokens = FRAMING + walkTokens(b.system ?? '', count, imageTokens) + jsonTokens(b.tools, count) + jsonTokens(b.tool_choice, count);
  if (Array.isArray(b.tools) && b.tools.length) tokens += TOOL_SYSTEM_PROMPT;
  for (const m of b.messages ?? []) tokens += PER_MESSAGE + walkTokens(m, count, imageTokens);
  return { tokens, count };
}
