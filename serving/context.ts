import type { FastifyRequest } from 'fastify';
import type { FeatureBuilder } from '../features/index.js';
import type { Catalog } from '../pricing/index.js';
import { KeyRing, type ApiKey } from './auth.js';
import type { Ledger, LedgerPolicy } from './ledger/index.js';
import type { Metrics } from './metrics.js';
import type { ModelRegistry } from './model-registry.js';
import type { Predictor } from './predictor.js';
import type { SpendFeed } from './spend-feed.js';

/** What every route works with; built once in `buildServer` from its options. */
export interface ServingContext {
  readonly catalog: Catalog;
  readonly builder: FeatureBuilder;
  readonly registry: ModelRegistry;
  readonly ledger: Ledger;
  /** The event-time policy the ledger charges by (telemetry answers bad times per event). */
  readonly ledgerPolicy: LedgerPolicy;
  readonly predictor: Predictor;
  readonly keys: KeyRing;
  readonly metrics: Metrics;
  readonly clock: () => number;
  /** Spend charged outside POST /telemetry (deployment ticks). */
  readonly spendFeed: SpendFeed;
}

export function keyOf(ctx: ServingContext, req: FastifyRequest): ApiKey {
  return ctx.keys.authenticate(req.headers);
}

export function authorizeTenant(ctx: ServingContext, req: FastifyRequest, tenant: string): ApiKey {
  const key = keyOf(ctx, req);
  KeyRing.authorize(key, tenant);
  return key;
}
