import { MeteringError } from '../errors.js';
import { promptOnly, type Meter } from '../meter.js';
import type { Json, PricedRoute, RouteRule } from '../providers/types.js';
import { findRoute } from '../providers/routes.js';
import { meterSseBody } from './metered-stream.js';

import type { Fetch } from '../providers/types.js';
export type { Fetch };

export interface MeteredFetchOptions {
  readonly meter: Meter;
  readonly provider: string;
  readonly routes: readonly RouteRule[];
  /** How the SDK is told that a call was refused: a response it turns into the error, or a throw. */
  readonly refuse: (err: Error) => Response;
}

/**
 * The one place every provider request passes: a paid route reserves its worst case from the wire body
 * (or is refused before the provider is called), and is charged from the response's usage, JSON or
 * server-sent events. Free routes pass untouched; paid routes Lutflow cannot price are refused unless
 * the client allows them. Every SDK method, present and future, goes through here.
 */
export function createMeteredFetch(base: Fetch, o: MeteredFetchOptions): Fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const route = findRoute(o.routes, method, url.pathname);
    if (route.kind === 'free') return base(input, init);
    if (route.kind === 'unpriced') {
      const err = new MeteringError('UNPRICED_ENDPOINT', `${o.provider} ${method} ${url.pathname} (${route.operation}) is paid, and Lutflow cannot price it; set allowUnpricedEndpoints to let it through unmetered`, route.operation);
      if (!o.meter.allowUnpricedEndpoints) return o.refuse(err);
      o.meter.warn(`lutflow: ${err.message.split(';')[0]}: let through unmetered`);
      return base(input, init);
    }
    const raw = init?.body ?? (input instanceof Request ? await input.clone().text() : undefined);
    if (typeof raw !== 'string') return o.refuse(new MeteringError('BAD_REQUEST_BODY', `${o.provider} ${route.operation}: expected a JSON body`, route.operation));
    return meteredCall(base, input, init, raw, route as PricedRoute, url, o);
  };
}

async function meteredCall(base: Fetch, input: string | URL | Request, init: RequestInit | undefined, raw: string, route: PricedRoute, url: URL, o: MeteredFetchOptions): Promise<Response> {
  let body: Json;
  try {
    body = JSON.parse(raw);
  } catch {
    return o.refuse(new MeteringError('BAD_REQUEST_BODY', `${o.provider} ${route.operation}: the request body is not JSON`, route.operation));
  }
  let call;
  let plan;
  try {
    plan = await route.plan(body, url, context(base, init));
    call = await o.meter.begin({ provider: o.provider, operation: route.operation, model: plan.model, promptTokensBound: plan.promptTokensBound, maxOutputTokens: plan.maxOutputTokens, choices: plan.choices, stream: plan.stream, batch: plan.batch, apiUrl: url.origin + url.pathname });
  } catch (err) {
    return o.refuse(err as Error);
  }
  const sent = route.prepare ? JSON.stringify(route.prepare(body)) : raw;
  let res: Response;
  try {
    res = await base(input, sent === raw ? init : { ...init, body: sent });
  } catch (err) {
    call.release(init?.signal?.aborted ? 'aborted' : 'error');
    throw err;
  }
  if (!res.ok) {
    call.release('error');
    return res;
  }
  // The provider accepted the prompt: from here on the call is never free.
  if (res.body && (res.headers.get('content-type') ?? '').includes('text/event-stream')) {
    call.progress(promptOnly(call.plan));
    return copy(res, meterSseBody(res.body, call, route.streamEvent, plan.countTokens, init?.signal));
  }
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    call.settle(promptOnly(call.plan), 'error');
    throw err;
  }
  let json: Json | undefined;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (route.chargeBound) call.settleAtBound('ok');
  else call.settle((json && route.usage(json)) ?? promptOnly(call.plan), 'ok');
  return served(res, text, json);
}

/** Lets a route read another resource of the same API with the request's headers (a batch's input file). */
function context(base: Fetch, init: RequestInit | undefined) {
  return {
    async getText(target: URL): Promise<string> {
      const res = await base(target.href, { method: 'GET', headers: init?.headers, signal: init?.signal });
      if (!res.ok) throw new MeteringError('BAD_REQUEST_BODY', `could not read ${target.pathname} to price the request (${res.status})`, target.pathname);
      return res.text();
    },
  };
}

/**
 * The provider's own response, its body already read: it serves that body again (building a new
 * Response would cost more than the whole meter), and the SDK gets the JSON parsed once.
 */
function served(res: Response, text: string, json: unknown): Response {
  const again = () => new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers });
  return Object.defineProperties(res, {
    text: { value: () => Promise.resolve(text) },
    json: { value: () => (json === undefined ? Promise.resolve().then(() => JSON.parse(text)) : Promise.resolve(json)) },
    arrayBuffer: { value: () => again().arrayBuffer() },
    blob: { value: () => again().blob() },
    clone: { value: again },
  });
}

/** The provider's response with its body metered as it streams, everything else as it was. */
function copy(res: Response, body: ReadableStream<Uint8Array>): Response {
  const out = new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  Object.defineProperty(out, 'url', { value: res.url });
  return out;
}
