import type { Fetch, FetchHook, Json, ProviderAdapter } from '../types.js';
import { GEMINI_ROUTES } from './routes.js';

/**
 * Google Gen AI (`@google/genai`): a copy of the client with `httpOptions.fetch` set, so every method
 * (models, chats, embeddings …) is metered. An error thrown by that fetch reaches the caller as it is.
 */
export function createGeminiAdapter(): ProviderAdapter {
  return {
    name: 'gemini',
    routes: GEMINI_ROUTES,
    sockets: ['live.connect', 'live.music.connect'],
    matches: (c) => !!c && typeof c === 'object' && 'models' in c && typeof (c as Json).models?.generateContent === 'function',
    withFetch<T extends object>(client: T, hook: FetchHook): T {
      const c = client as Json;
      if (!c.apiClient?.clientOptions) throw new TypeError('wrap(): this Google Gen AI client has no apiClient; Lutflow needs @google/genai >= 1');
      const http = c.httpOptions ?? {};
      const base: Fetch = http.fetch ?? ((input, init) => fetch(input, init));
      const Ctor = c.constructor as new (options: Json) => Json;
      const copy = new Ctor({
        vertexai: c.vertexai, apiKey: c.apiKey, project: c.project, location: c.location, apiVersion: c.apiVersion,
        httpOptions: { ...http, fetch: hook(base, (err) => { throw err; }) },
      });
      // Google Cloud credentials (Vertex AI) carry over as they are.
      if (c.apiClient.clientOptions.auth) copy.apiClient.clientOptions.auth = c.apiClient.clientOptions.auth;
      // A per-request `config.httpOptions.fetch` would replace the metered one: the client's fetch always wins.
      const api = copy.apiClient;
      const patch = api.patchHttpOptions?.bind(api);
      if (patch) api.patchHttpOptions = (base: Json, request: Json) => ({ ...patch(base, request), fetch: base.fetch });
      return copy as T;
    },
  };
}
