import { counterFor, type TokenCounter } from '../../bounds/tokens.js';
import { dataUrlPayload, imageSize } from '../../bounds/images.js';
import { jsonTokens, walkTokens, type MediaBound } from '../../bounds/walk.js';
import type { Json } from '../types.js';

/**
 * Prompt bounds for OpenAI requests: exact o200k / cl100k counts for OpenAI's models (plus the chat
 * framing, 3 tokens a message and 3 to prime the reply), UTF-8 bytes for other models behind an
 * OpenAI-compatible server; images by OpenAI's documented tile or patch formula.
 */
export interface ImageRule {
  readonly model: RegExp;
  /** Tile models: `base + tile x tiles` of 512 px after fitting 2048 px and a 768 px short side. */
  readonly tiles?: { base: number; tile: number };
  /** Patch models: 32 px patches, at most 1,536, times a multiplier. */
  readonly patches?: number;
}

const IMAGE_RULES: readonly ImageRule[] = [
  { model: /^gpt-4o-mini/, tiles: { base: 2833, tile: 5667 } },
  { model: /^(gpt-4\.1-mini|gpt-5-mini)/, patches: 1.62 },
  { model: /^(gpt-4\.1-nano|gpt-5-nano)/, patches: 2.46 },
  { model: /^o4-mini/, patches: 1.72 },
  { model: /^(o1|o3)/, tiles: { base: 75, tile: 150 } },
  { model: /^gpt-5/, tiles: { base: 70, tile: 140 } },
  { model: /^computer-use/, tiles: { base: 65, tile: 129 } },
  { model: /^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-4-turbo)/, tiles: { base: 85, tile: 170 } },
];
/** An unknown model is held to the largest formula. */
const LARGEST: ImageRule = { model: /$^/, tiles: { base: 2833, tile: 5667 } };

export function imageTokens(model: string, size: { width: number; height: number } | undefined, detail?: string): number {
  const rule = IMAGE_RULES.find((r) => r.model.test(model.toLowerCase())) ?? LARGEST;
  if (rule.patches) {
    const patches = size ? Math.ceil(size.width / 32) * Math.ceil(size.height / 32) : 1536;
    return Math.ceil(Math.min(patches, 1536) * rule.patches);
  }
  const { base, tile } = rule.tiles!;
  if (detail === 'low') return base;
  if (!size) return base + 8 * tile;
  let { width: w, height: h } = size;
  const fit = Math.min(1, 2048 / Math.max(w, h));
  w *= fit;
  h *= fit;
  const short = Math.min(1, 768 / Math.min(w, h));
  return base + tile * Math.ceil((w * short) / 512) * Math.ceil((h * short) / 512);
}

function mediaBound(model: string): MediaBound {
  return (node) => {
    const url = node.type === 'image_url' ? (node.image_url as Json)?.url : node.type === 'input_image' ? node.image_url ?? '' : undefined;
    if (typeof url !== 'string') return undefined;
    const payload = dataUrlPayload(url);
    const detail = node.type === 'image_url' ? (node.image_url as Json)?.detail : node.detail;
    return imageTokens(model, payload ? imageSize(payload) : undefined, detail as string | undefined);
  };
}

const PER_MESSAGE = 3;
const REPLY_PRIMING = 3;
/** Function definitions are rendered by OpenAI in their own format; their JSON plus this per tool bounds it. */
const PER_TOOL = 10;

function schemaTokens(b: Json, count: TokenCounter): number {
  const tools = [...(b.tools ?? []), ...(b.functions ?? [])];
  return jsonTokens(tools.length ? tools : undefined, count) + PER_TOOL * tools.length + jsonTokens(b.response_format ?? b.text?.format, count);
}

export async function chatPromptBound(b: Json): Promise<{ tokens: number; count: TokenCounter }> {
  const count = await counterFor(String(b.model));
  const media = mediaBound(String(b.model));
  let tokens = REPLY_PRIMING + schemaTokens(b, count);
  for (const m of b.messages ?? []) tokens += PER_MESSAGE + walkTokens(m, count, media);
  return { tokens, count };
}

export async function responsesPromptBound(b: Json): Promise<{ tokens: number; count: TokenCounter }> {
  const count = await counterFor(String(b.model));
  const media = mediaBound(String(b.model));
  const items = typeof b.input === 'string' ? [b.input] : b.input ?? [];
  let tokens = REPLY_PRIMING + schemaTokens(b, count) + walkTokens(b.instructions ?? '', count) + (b.instructions ? PER_MESSAGE : 0);
  for (const item of items) tokens += PER_MESSAGE + walkTokens(item, count, media);
  return { tokens, count };
}

/** Embeddings and legacy completions: strings, or arrays of token ids (counted as they are). */
export async function plainPromptBound(model: string, input: unknown): Promise<{ tokens: number; count: TokenCounter }> {
  const count = await counterFor(model);
  const one = (v: unknown): number => (typeof v === 'number' ? 1 : Array.isArray(v) ? v.reduce((n: number, x) => n + one(x), 0) : walkTokens(v, count));
  return { tokens: one(input), count };
}
