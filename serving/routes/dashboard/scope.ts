import type { FastifyRequest } from 'fastify';
import { KeyRing } from '../../auth.js';
import { keyOf, type ServingContext } from '../../context.js';

/**
 * Which tenants a dashboard read may show: the one asked for (the key must be scoped to it), else every tenant
 * the key is scoped to (all for an admin key).
 */
export function tenantFilter(ctx: ServingContext, req: FastifyRequest, wanted: string | undefined): (tenant: string) => boolean {
  const key = keyOf(ctx, req);
  if (wanted !== undefined) {
    KeyRing.authorize(key, wanted);
    return (t) => t === wanted;
  }
  return (t) => KeyRing.allows(key, t);
}
