import type { FastifyRequest } from 'fastify';
import type { FeatureBuilder } from '../features/index.js';
import type { Catalog } from '../pricing/index.js';
import type { CostWindowSource, Transport } from '../stream/index.js';
import { KeyRing, type ApiKey } from './auth.js';
import { ApiError } from './errors.js';
import { isServerScope, type Ledger, type LedgerPolicy } from './ledger/index.js';
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
  readonly streaming?: Streaming;
}

/**
 * The at-scale mode: the spend this server charges (telemetry, deployment ticks) goes out on `lut.telemetry`,
 * and the windows the dashboard and `watch` show come back from `lut.cost-windows`, whichever engine made them
 * (`lutflow windows`, the Flink job). Without it, the server windows what it charged itself.
 */
export interface Streaming {
  readonly telemetry: Transport;
  readonly windows: CostWindowSource;
  /** The server closes it as it closes (after the deployments' last ticks are out). */
  close(): Promise<void>;
}

export function keyOf(ctx: ServingContext, req: FastifyRequest): ApiKey {
  return ctx.keys.authenticate(req.headers);
}

export function authorizeTenant(ctx: ServingContext, req: FastifyRequest, tenant: string): ApiKey {
  const key = keyOf(ctx, req);
  KeyRing.authorize(key, tenant);
  return key;
}

/**
 * As `authorizeTenant`, for taking, closing or renewing reservations through a tenant's path: a deployment's
 * scope is the server's own (it meters and settles it), so no key acts there, an admin's neither.
 */
export function authorizeReservations(ctx: ServingContext, req: FastifyRequest, tenant: string): ApiKey {
  const key = authorizeTenant(ctx, req, tenant);
  if (isServerScope(tenant)) {
    throw new ApiError('FORBIDDEN', `'${tenant}' is a deployment's budget scope: the server meters and settles it; stop the deployment instead (POST /deployments/{id}/kill)`, '/tenant_id');
  }
  return key;
}
