import type { Route, RouteRule } from './types.js';

export const READS = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE']);

/**
 * The route a request takes. Reads and deletes not listed are free; a write not listed is taken as a
 * paid endpoint Lutflow cannot price, so a new paid endpoint is refused rather than silently free.
 */
export function findRoute(rules: readonly RouteRule[], method: string, path: string): Route {
  return listedRoute(rules, method, path) ?? (READS.has(method) ? FREE_READ : UNLISTED_WRITE);
}

const FREE_READ: Route = { kind: 'free', operation: 'read' };
const UNLISTED_WRITE: Route = { kind: 'unpriced', operation: 'unlisted endpoint' };

/** Table helpers: `free('POST', /\/files$/, 'files.create')`. */
export const free = (method: string, path: RegExp, operation: string): RouteRule => ({ method, path, route: { kind: 'free', operation } });
export const unpriced = (method: string, path: RegExp, operation: string): RouteRule => ({ method, path, route: { kind: 'unpriced', operation } });

/** The rule a request matches, if one is written down (the surface test requires it for every write). */
export function listedRoute(rules: readonly RouteRule[], method: string, path: string): Route | undefined {
  return rules.find((r) => r.method === method && r.path.test(path))?.route;
}
