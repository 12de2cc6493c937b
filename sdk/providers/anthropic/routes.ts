import { free, unpriced } from '../routes.js';
import { utf8Bytes } from '../../bounds/tokens.js';
import { MeteringError } from '../../errors.js';
import type { Json, PricedRoute, RouteRule } from '../types.js';
import { messagesPromptBound } from './prompt.js';
import { messagesStreamEvent } from './stream.js';
import { messagesUsage } from './usage.js';

const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.ceil(v) : undefined);

const messages: PricedRoute = {
  kind: 'priced',
  operation: 'messages',
  plan(b) {
    const { tokens, count } = messagesPromptBound(b);
    return { model: String(b.model), promptTokensBound: tokens, maxOutputTokens: int(b.max_tokens), choices: 1, stream: !!b.stream, countTokens: count };
  },
  usage: (r) => messagesUsage(r.usage),
  streamEvent: messagesStreamEvent,
};

/**
 * A message batch: every request's prompt bound and max_tokens, at batch prices, charged in full when
 * the batch is created (its real usage arrives hours later, with the results). One model per batch.
 */
const messageBatches: PricedRoute = {
  kind: 'priced',
  operation: 'messages.batches',
  plan(b) {
    const requests: Json[] = (b.requests ?? []).map((r: Json) => r.params ?? {});
    const models = new Set(requests.map((p) => String(p.model)));
    if (models.size !== 1) throw new MeteringError('BAD_REQUEST_BODY', `a message batch is priced per model: expected one model, got ${[...models].join(', ') || 'none'}`, 'messages.batches');
    let tokens = 0;
    let out = 0;
    for (const p of requests) {
      tokens += messagesPromptBound(p).tokens;
      out += int(p.max_tokens) ?? 0;
    }
    return { model: [...models][0], promptTokensBound: tokens, maxOutputTokens: out, choices: 1, stream: false, batch: true, countTokens: utf8Bytes };
  },
  chargeBound: true,
  usage: () => undefined,
  streamEvent: () => ({}),
};

/**
 * Every Anthropic endpoint a client method can reach, `beta.*` included (the same paths with
 * `?beta=true`); test/sdk/surface.test.ts walks the SDK and fails on any write that is not here.
 */
export const ANTHROPIC_ROUTES: readonly RouteRule[] = [
  { method: 'POST', path: /\/v1\/messages$/, route: messages },
  free('POST', /\/v1\/messages\/count_tokens$/, 'messages.countTokens'),
  free('POST', /\/v1\/messages\/batches\/[^/]+\/cancel$/, 'messages.batches.cancel'),
  { method: 'POST', path: /\/v1\/messages\/batches$/, route: messageBatches },
  // Managed agents: a session's events and a deployment's runs invoke models server-side.
  unpriced('POST', /\/v1\/(sessions|deployments|dreams)(\/.*)?$/, 'agent sessions, deployments and dreams'),
  free('POST', /\/v1\/(files|skills|agents|environments|vaults|memory_stores|tunnels|user_profiles|organizations|compliance)(\/.*)?$/, 'objects and settings'),
  unpriced('POST', /\/v1\/complete$/, 'completions.create (legacy Text Completions)'),
];
