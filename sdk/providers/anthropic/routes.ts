import { free, unpriced } from '../routes.js';
import type { PricedRoute, RouteRule } from '../types.js';
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
 * Every Anthropic endpoint a client method can reach, `beta.*` included (the same paths with
 * `?beta=true`); test/sdk/surface.test.ts walks the SDK and fails on any write that is not here.
 */
export const ANTHROPIC_ROUTES: readonly RouteRule[] = [
  { method: 'POST', path: /\/v1\/messages$/, route: messages },
  free('POST', /\/v1\/messages\/count_tokens$/, 'messages.countTokens'),
  free('POST', /\/v1\/messages\/batches\/[^/]+\/cancel$/, 'messages.batches.cancel'),
  unpriced('POST', /\/v1\/messages\/batches$/, 'messages.batches.create'),
  // Managed agents: a session's events and a deployment's runs invoke models server-side.
  unpriced('POST', /\/v1\/(sessions|deployments|dreams)(\/.*)?$/, 'agent sessions, deployments and dreams'),
  free('POST', /\/v1\/(files|skills|agents|environments|vaults|memory_stores|tunnels|user_profiles|organizations|compliance)(\/.*)?$/, 'objects and settings'),
  unpriced('POST', /\/v1\/complete$/, 'completions.create (legacy Text Completions)'),
];
