import { utf8Bytes } from '../../bounds/tokens.js';
import { MeteringError } from '../../errors.js';
import { free, unpriced } from '../routes.js';
import type { Json, PricedRoute, RouteRule } from '../types.js';
import { contentsPromptBound, embedPromptBound } from './prompt.js';
import { contentStreamEvent } from './stream.js';
import { geminiUsage } from './usage.js';

const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.ceil(v) : undefined);
const modelOf = (url: URL) => decodeURIComponent(/models\/([^/:]+):/.exec(url.pathname)?.[1] ?? 'unknown');

const generate = (stream: boolean): PricedRoute => ({
  kind: 'priced',
  operation: stream ? 'streamGenerateContent' : 'generateContent',
  plan(b: Json, url) {
    const { tokens, count } = contentsPromptBound(b);
    const g = b.generationConfig ?? {};
    // maxOutputTokens bounds thoughts and answer together; candidateCount answers are billed each.
    return { model: modelOf(url), promptTokensBound: tokens, maxOutputTokens: int(g.maxOutputTokens), choices: int(g.candidateCount) || 1, stream, countTokens: count };
  },
  usage: (r) => geminiUsage(r.usageMetadata),
  streamEvent: contentStreamEvent,
});

const embed: PricedRoute = {
  kind: 'priced',
  operation: 'embedContent',
  plan(b: Json, url) {
    const { tokens, count } = embedPromptBound(b);
    return { model: modelOf(url), promptTokensBound: tokens, maxOutputTokens: 0, choices: 1, stream: false, countTokens: count };
  },
  usage: (r) => geminiUsage(r.usageMetadata),
  streamEvent: () => ({}),
};

/**
 * An inline batch (`batches.create` with `src` requests): every request's prompt bound and output limit,
 * at batch prices, charged in full when the batch is created. A batch read from a file is not priced.
 */
const inlineBatch: PricedRoute = {
  kind: 'priced',
  operation: 'batchGenerateContent',
  chargeBound: true,
  plan(b: Json, url) {
    const requests: Json[] | undefined = b.batch?.inputConfig?.requests?.requests?.map((r: Json) => r.request ?? {});
    if (!requests) throw new MeteringError('UNPRICED_ENDPOINT', 'a Gemini batch read from a file cannot be priced; send its requests inline, or set allowUnpricedEndpoints', 'batchGenerateContent');
    let tokens = 0;
    let out = 0;
    let choices = 0;
    let unbounded = false;
    for (const r of requests) {
      tokens += contentsPromptBound(r).tokens;
      const g = r.generationConfig ?? {};
      const n = int(g.candidateCount) || 1;
      choices += n;
      if (int(g.maxOutputTokens) === undefined) unbounded = true;
      else out += int(g.maxOutputTokens)! * n;
    }
    // Any request without its own limit: every answer is held to the model's output limit.
    return unbounded
      ? { model: modelOf(url), promptTokensBound: tokens, choices, stream: false, batch: true, countTokens: utf8Bytes }
      : { model: modelOf(url), promptTokensBound: tokens, maxOutputTokens: out, choices: 1, stream: false, batch: true, countTokens: utf8Bytes };
  },
  usage: () => undefined,
  streamEvent: () => ({}),
};

/**
 * Every Gemini API (and Vertex AI) endpoint a client method can reach; test/sdk/surface.test.ts walks
 * the SDK and fails on any write that is not here. `chats` goes through generateContent.
 */
export const GEMINI_ROUTES: readonly RouteRule[] = [
  { method: 'POST', path: /\/models\/[^/]+:generateContent$/, route: generate(false) },
  { method: 'POST', path: /\/models\/[^/]+:streamGenerateContent$/, route: generate(true) },
  { method: 'POST', path: /\/models\/[^/]+:(embedContent|batchEmbedContents)$/, route: embed },
  free('POST', /\/models\/[^/]+:(countTokens|computeTokens)$/, 'models.countTokens'),
  // File Search stores charge embeddings when a file is indexed.
  unpriced('POST', /:(uploadToFileSearchStore|importFile)$/, 'fileSearchStores indexing'),
  free('POST', /\/(files|files:register|upload\/.*|auth_tokens|fileSearchStores)$/, 'files, tokens and stores'),
  free('POST', /:cancel$/, 'cancel a job'),
  free('PATCH', /\/models\/[^/:]+$/, 'models.update'),
  { method: 'POST', path: /\/models\/[^/]+:batchGenerateContent$/, route: inlineBatch },
  unpriced('POST', /\/models\/[^/]+:(predict|predictLongRunning|asyncBatchEmbedContent)$/, 'images, video and embedding batches'),
  unpriced('POST', /\/(cachedContents|tunedModels|tuningJobs|batchPredictionJobs|interactions)(\/.*)?$/, 'caches, tuning, batches, interactions'),
  unpriced('PATCH', /\/cachedContents\/.*$/, 'caches.update (storage time)'),
];
