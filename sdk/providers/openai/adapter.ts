import { estimateTokens, meteredRequest, textOf, type Meter } from '../../meter.js';
import { interceptPaths } from '../../intercept.js';
import type { Json, ProviderAdapter } from '../types.js';
import { chatUsage, responsesUsage } from './usage.js';

/**
 * OpenAI and any OpenAI-compatible server (vLLM, TGI): chat completions (streamed or not), responses
 * (streamed or not), embeddings. Streams are asked to report usage (`stream_options.include_usage`).
 */
export function createOpenAIAdapter(): ProviderAdapter {
  return {
    name: 'openai',
    matches: (c) => !!c && typeof c === 'object' && 'chat' in c && 'embeddings' in c,
    wrap(client, meter: Meter, { provider }) {
      return interceptPaths(client, {
        'chat.completions.create': (original, self, [body, ...rest]) => {
          const b = body as Json;
          const sent = b.stream ? { ...b, stream_options: { ...b.stream_options, include_usage: true } } : b;
          return meteredRequest<Json>(meter, {
            provider, model: b.model, operation: 'chat.completions', stream: !!b.stream,
            promptTokensEstimate: estimateTokens(textOf(b.messages) + textOf(b.tools ?? ''), b.messages?.length ?? 1),
            maxOutputTokens: b.max_completion_tokens ?? b.max_tokens ?? undefined,
          }, () => original.call(self, sent, ...rest) as Promise<Json>, (r) => chatUsage(r.usage), {
            observe: (chunk) => {
              const c = chunk as Json;
              return { usage: chatUsage(c.usage), text: (c.choices ?? []).map((ch: Json) => (ch.delta?.content ?? '') + (ch.delta?.reasoning_content ?? '')).join('') };
            },
          });
        },
        'responses.create': (original, self, [body, ...rest]) => {
          const b = body as Json;
          return meteredRequest<Json>(meter, {
            provider, model: b.model, operation: 'responses', stream: !!b.stream,
            promptTokensEstimate: estimateTokens(textOf(b.input) + textOf(b.instructions ?? '')), maxOutputTokens: b.max_output_tokens ?? undefined,
          }, () => original.call(self, body, ...rest) as Promise<Json>, (r) => responsesUsage(r.usage), {
            observe: (event) => {
              const e = event as Json;
              if (e.type === 'response.completed' || e.type === 'response.incomplete' || e.type === 'response.failed') return { usage: responsesUsage(e.response?.usage) };
              return { text: e.type === 'response.output_text.delta' ? e.delta : undefined };
            },
          });
        },
        'embeddings.create': (original, self, [body, ...rest]) => {
          const b = body as Json;
          return meteredRequest<Json>(meter, { provider, model: b.model, operation: 'embeddings', stream: false, promptTokensEstimate: estimateTokens(textOf(b.input)), maxOutputTokens: 0 },
            () => original.call(self, body, ...rest) as Promise<Json>, (r) => chatUsage(r.usage));
        },
      });
    },
  };
}
