import type { NormalizedUsage } from '../../pricing/index.js';
import type { TokenCounter } from '../bounds/tokens.js';

/** Provider payloads are read structurally: the provider SDKs are optional peer dependencies. */
export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** What one paid request may cost at most, read from its wire body. */
export interface RoutePlan {
  readonly model: string;
  readonly promptTokensBound: number;
  readonly maxOutputTokens?: number;
  readonly choices: number;
  readonly stream: boolean;
  /** Priced at the provider's batch prices (a batch job). */
  readonly batch?: boolean;
  /** Tokens of generated output, for a stream that ends without a usage frame. */
  readonly countTokens: TokenCounter;
}

/** What one stream event adds: usage reported so far, and output generated (text, tool arguments, refusals). */
export interface StreamEvent {
  readonly usage?: NormalizedUsage;
  readonly text?: string;
}

/** What a route may ask of the provider while planning: another resource, with the request's own credentials. */
export interface RouteContext {
  getText(url: URL): Promise<string>;
}

/** A paid endpoint Lutflow prices from the provider's usage. */
export interface PricedRoute {
  readonly kind: 'priced';
  readonly operation: string;
  plan(body: Json, url: URL, ctx: RouteContext): RoutePlan | Promise<RoutePlan>;
  /** The body actually sent (e.g. a stream asked to report its usage); the original when absent. */
  prepare?(body: Json): Json;
  usage(response: Json): NormalizedUsage | undefined;
  /** Charged its whole bound when accepted (batch jobs: the real usage comes hours later, elsewhere). */
  readonly chargeBound?: boolean;
  streamEvent(event: Json, name?: string): StreamEvent;
}

/** `free`: the request itself is not billed; `unpriced`: it is billed and Lutflow cannot price it. */
export interface UnmeteredRoute {
  readonly kind: 'free' | 'unpriced';
  readonly operation: string;
}

export type Route = PricedRoute | UnmeteredRoute;

/** One row of a provider's route table: method and a pattern on the URL path (any base-URL prefix before it). */
export interface RouteRule {
  readonly method: string;
  readonly path: RegExp;
  readonly route: Route;
}

/** One shape for every provider: recognise a client, and give a copy of it whose requests go through `fetch`. */
export interface ProviderAdapter {
  readonly name: string;
  readonly routes: readonly RouteRule[];
  /** Methods that talk over a WebSocket instead of fetch (refused unless unpriced endpoints are allowed). */
  readonly sockets?: readonly string[];
  matches(client: unknown): boolean;
  /** A copy of the client whose HTTP goes through the hook; `refuse` turns an error into what the SDK will raise. */
  withFetch<T extends object>(client: T, hook: FetchHook): T;
}

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Builds the metered fetch around the client's own, given how refusals reach the caller. */
export type FetchHook = (base: Fetch, refuse: (err: Error) => Response) => Fetch;
