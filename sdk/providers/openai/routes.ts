import { free, unpriced } from '../routes.js';
import { batchRoute } from './batch.js';
import type { TokenCounter } from '../../bounds/tokens.js';
import type { Json, PricedRoute, RouteRule } from '../types.js';
import { chatPromptBound, plainPromptBound, responsesPromptBound } from './prompt.js';
import { chatStreamEvent, responsesStreamEvent } from './stream.js';
import { chatUsage, responsesUsage } from './usage.js';

const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.ceil(v) : undefined);

/** Chat and legacy completions share their usage, their stream chunks and how a stream is asked for its usage. */
function chatLike(operation: string, bound: (b: Json) => Promise<{ tokens: number; count: TokenCounter }>, limits: (b: Json) => { max?: number; choices: number }): PricedRoute {
  return {
    kind: 'priced',
    operation,
    async plan(b) {
      const { tokens, count } = await bound(b);
      const { max, choices } = limits(b);
      return { model: String(b.model), promptTokensBound: tokens, maxOutputTokens: max, choices, stream: !!b.stream, countTokens: count };
    },
    prepare: (b) => (b.stream ? { ...b, stream_options: { ...b.stream_options, include_usage: true } } : b),
    usage: (r) => chatUsage(r.usage),
    streamEvent: chatStreamEvent,
  };
}

const chat = chatLike('chat.completions', chatPromptBound, (b) => ({ max: int(b.max_completion_tokens ?? b.max_tokens), choices: int(b.n) || 1 }));

// best_of candidates are generated (and billed) server-side; n of them come back.
const completions = chatLike('completions', (b) => plainPromptBound(String(b.model), b.prompt ?? ''), (b) => ({ max: int(b.max_tokens) ?? 16, choices: Math.max(int(b.n) || 1, int(b.best_of) || 1) }));

const responses: PricedRoute = {
  kind: 'priced',
  operation: 'responses',
  async plan(b) {
    const { tokens, count } = await responsesPromptBound(b);
    return { model: String(b.model), promptTokensBound: tokens, maxOutputTokens: int(b.max_output_tokens), choices: 1, stream: !!b.stream, countTokens: count };
  },
  usage: (r) => responsesUsage(r.usage),
  streamEvent: responsesStreamEvent,
};

const embeddings: PricedRoute = {
  kind: 'priced',
  operation: 'embeddings',
  async plan(b: Json) {
    const { tokens, count } = await plainPromptBound(String(b.model), b.input);
    return { model: String(b.model), promptTokensBound: tokens, maxOutputTokens: 0, choices: 1, stream: false, countTokens: count };
  },
  usage: (r) => chatUsage(r.usage),
  streamEvent: () => ({}),
};

/**
 * Every OpenAI endpoint a client method can reach (test/sdk/surface.test.ts walks the SDK and fails on
 * any write that is not here). Paths match after any base-URL prefix (`/v1`, Azure deployments).
 */
export const OPENAI_ROUTES: readonly RouteRule[] = [
  { method: 'POST', path: /\/batches$/, route: batchRoute(() => OPENAI_ROUTES) },
  { method: 'POST', path: /\/chat\/completions$/, route: chat },
  { method: 'POST', path: /\/responses$/, route: responses },
  { method: 'POST', path: /\/embeddings$/, route: embeddings },
  { method: 'POST', path: /(^|\/)completions$/, route: completions },
  free('POST', /\/responses\/input_tokens$/, 'responses.inputTokens.count'),
  free('POST', /\/responses\/[^/]+\/cancel$/, 'responses.cancel'),
  free('POST', /\/responses\/compact$/, 'responses.compact'),
  free('POST', /\/chat\/completions\/[^/]+$/, 'chat.completions.update'),
  free('POST', /\/moderations$/, 'moderations.create'),
  free('POST', /\/fine_tuning\/alpha\/graders\/validate$/, 'graders.validate'),
  free('POST', /\/(files|uploads)(\/.*)?$/, 'files and uploads'),
  free('POST', /\/(batches|fine_tuning\/jobs|vector_stores\/[^/]+\/file_batches)\/[^/]+\/(cancel|pause|resume)$/, 'cancel or pause a job'),
  unpriced('POST', /\/threads\/([^/]+\/)?runs(\/.*)?$/, 'assistants runs'),
  unpriced('POST', /\/evals\/[^/]+\/runs$/, 'evals.runs.create'),
  free('POST', /\/(conversations|assistants|threads|vector_stores|webhooks|skills|chatkit|admin|organization|evals)(\/.*)?$/, 'objects and settings'),
  unpriced('POST', /\/(images|audio|videos|realtime|containers|batches|fine_tuning)(\/.*)?$/, 'images, audio, video, realtime, containers, batches, fine-tuning'),
];
