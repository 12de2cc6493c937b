import { estimateTokens, meteredRequest, textOf, type CallPlan, type Meter } from '../../meter.js';
import { interceptPaths } from '../../intercept.js';
import type { Json, ProviderAdapter } from '../types.js';
import { geminiUsage } from './usage.js';

const modelId = (m: string) => m.replace(/^models\//, '');
const textOfResponse = (r: Json) => (r.candidates ?? []).flatMap((c: Json) => c.content?.parts ?? []).map((p: Json) => p.text ?? '').join('');

/** Google Gen AI (`@google/genai`): models.generateContent and models.generateContentStream. */
export function createGeminiAdapter(): ProviderAdapter {
  const plan = (b: Json, stream: boolean, provider: string): CallPlan => ({
    provider, model: modelId(b.model), operation: stream ? 'generateContentStream' : 'generateContent', stream,
    promptTokensEstimate: estimateTokens(textOf(b.contents) + textOf(b.config?.systemInstruction ?? '')), maxOutputTokens: b.config?.maxOutputTokens,
  });
  const observer = { observe: (chunk: unknown) => ({ usage: geminiUsage((chunk as Json).usageMetadata), text: textOfResponse(chunk as Json) }) };
  return {
    name: 'gemini',
    matches: (c) => !!c && typeof c === 'object' && 'models' in c && typeof (c as Json).models?.generateContent === 'function',
    wrap(client, meter: Meter, { provider }) {
      return interceptPaths(client, {
        'models.generateContent': (original, self, [body, ...rest]) =>
          meteredRequest<Json>(meter, plan(body as Json, false, provider), () => original.call(self, body, ...rest) as Promise<Json>, (r) => geminiUsage(r.usageMetadata)),
        'models.generateContentStream': (original, self, [body, ...rest]) =>
          meteredRequest<Json>(meter, plan(body as Json, true, provider), () => original.call(self, body, ...rest) as Promise<Json>, (r) => geminiUsage(r.usageMetadata), observer),
      });
    },
  };
}
