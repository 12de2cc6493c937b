import { estimateTokens, meteredRequest, textOf, type Meter } from '../../meter.js';
import { interceptPaths } from '../../intercept.js';
import type { Json, ProviderAdapter } from '../types.js';
import { messagesUsage } from './usage.js';

/**
 * Anthropic Messages, streamed or not. Streams report input and cache counts in `message_start` and a
 * cumulative `output_tokens` in each `message_delta`.
 */
export function createAnthropicAdapter(): ProviderAdapter {
  return {
    name: 'anthropic',
    matches: (c) => !!c && typeof c === 'object' && 'messages' in c && !('chat' in c),
    wrap(client, meter: Meter, { provider }) {
      return interceptPaths(client, {
        'messages.create': (original, self, [body, ...rest]) => {
          const b = body as Json;
          return meteredRequest<Json>(meter, {
            provider, model: b.model, operation: 'messages', stream: !!b.stream,
            promptTokensEstimate: estimateTokens(textOf(b.messages) + textOf(b.system ?? '') + textOf(b.tools ?? ''), b.messages?.length ?? 1),
            maxOutputTokens: b.max_tokens,
          }, () => original.call(self, body, ...rest) as Promise<Json>, (r) => messagesUsage(r.usage), {
            observe: (event) => {
              const e = event as Json;
              if (e.type === 'message_start') return { usage: messagesUsage(e.message?.usage) };
              if (e.type === 'message_delta') return { usage: { input: {}, output: { total: e.usage?.output_tokens } } };
              if (e.type === 'content_block_delta') return { text: e.delta?.text ?? e.delta?.thinking ?? e.delta?.partial_json ?? '' };
              return {};
            },
          });
        },
      });
    },
  };
}
