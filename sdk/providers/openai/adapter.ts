import { stainlessWithFetch } from '../stainless.js';
import type { ProviderAdapter } from '../types.js';
import { OPENAI_ROUTES } from './routes.js';

/** OpenAI and any OpenAI-compatible server (vLLM, TGI, Azure OpenAI through `AzureOpenAI`). */
export function createOpenAIAdapter(): ProviderAdapter {
  return {
    name: 'openai',
    routes: OPENAI_ROUTES,
    matches: (c) => !!c && typeof c === 'object' && 'chat' in c && 'embeddings' in c,
    withFetch: stainlessWithFetch,
  };
}
