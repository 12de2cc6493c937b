import { utf8Bytes } from '../../bounds/tokens.js';
import { MeteringError } from '../../errors.js';
import { findRoute } from '../routes.js';
import type { Json, PricedRoute, RouteRule } from '../types.js';

/**
 * A batch (`batches.create`): its input file is read back from the provider with the request's own
 * credentials, and every line planned by the route it names (chat, responses, embeddings,
 * completions). The whole bound, at batch prices, is charged when the batch is created: its usage
 * arrives hours later, in the output file. OpenAI runs one model per batch.
 */
export function batchRoute(routes: () => readonly RouteRule[]): PricedRoute {
  return {
    kind: 'priced',
    operation: 'batches',
    chargeBound: true,
    async plan(b: Json, url, ctx) {
      if (typeof b.input_file_id !== 'string') throw new MeteringError('BAD_REQUEST_BODY', 'batches.create: expected an input_file_id', 'batches');
      const file = new URL(url.pathname.replace(/\/batches$/, `/files/${encodeURIComponent(b.input_file_id)}/content`) + url.search, url);
      const lines = (await ctx.getText(file)).split('\n').filter((l) => l.trim());
      const models = new Set<string>();
      let tokens = 0;
      let out = 0;
      let choices = 0;
      let unbounded = false;
      for (const [i, line] of lines.entries()) {
        let req: Json;
        try {
          req = JSON.parse(line);
        } catch {
          throw new MeteringError('BAD_REQUEST_BODY', `batch input line ${i + 1} is not JSON`, 'batches');
        }
        const route = findRoute(routes(), String(req.method ?? 'POST').toUpperCase(), String(req.url ?? ''));
        if (route.kind !== 'priced' || route.chargeBound) throw new MeteringError('UNPRICED_ENDPOINT', `batch input line ${i + 1}: ${req.url} cannot be priced`, 'batches');
        const p = await route.plan(req.body ?? {}, url, ctx);
        models.add(p.model);
        tokens += p.promptTokensBound;
        choices += p.choices;
        if (p.maxOutputTokens === undefined) unbounded = true;
        else out += p.maxOutputTokens * p.choices;
      }
      if (models.size !== 1) throw new MeteringError('BAD_REQUEST_BODY', `a batch runs one model: got ${[...models].join(', ') || 'no requests'}`, 'batches');
      const model = [...models][0];
      // Any line without its own output limit: every answer is held to the model's limit.
      return unbounded
        ? { model, promptTokensBound: tokens, choices, stream: false, batch: true, countTokens: utf8Bytes }
        : { model, promptTokensBound: tokens, maxOutputTokens: out, choices: 1, stream: false, batch: true, countTokens: utf8Bytes };
    },
    usage: () => undefined,
    streamEvent: () => ({}),
  };
}
