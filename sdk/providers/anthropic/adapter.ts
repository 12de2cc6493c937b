import { stainlessWithFetch } from '../stainless.js';
import type { ProviderAdapter } from '../types.js';
import { ANTHROPIC_ROUTES } from './routes.js';

/** Anthropic's Messages API, `beta.messages` and the SDK's helpers (`messages.stream()`, tool runners). */
export function createAnthropicAdapter(): ProviderAdapter {
  return {
    name: 'anthropic',
    routes: ANTHROPIC_ROUTES,
    matches: (c) => !!c && typeof c === 'object' && 'messages' in c && !('chat' in c),
    withFetch: stainlessWithFetch,
  };
}
