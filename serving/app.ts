import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import { createFeatureBuilder, type FeatureBuilder } from '../features/index.js';
import { ModelError } from '../model/index.js';
import { builtinCatalog, PricingError, type Catalog } from '../pricing/index.js';
import { KeyRing, type ApiKey } from './auth.js';
import type { ServingContext, Streaming } from './context.js';
import { ApiError, type ErrorBody } from './errors.js';
import { startAlertDeliverer } from './alerts/deliverer.js';
import { DEFAULT_POLICY, FileLedger, LedgerError, PgLedger, type AlertWebhook, type FsyncPolicy, type Ledger, type LedgerPolicy } from './ledger/index.js';
import { RequestsAtDebug } from './log-controller.js';
import { createMetrics, pairCounter, requestMeter } from './metrics.js';
import { ModelRegistry } from './model-registry.js';
import { SpendFeed } from './spend-feed.js';
import { createPredictor } from './predictor.js';
import { alertRoutes } from './routes/alerts.js';
import { budgetRoutes } from './routes/budgets.js';
import { deploymentRoutes } from './routes/deployments.js';
import type { DeploymentSettings } from './deployments/options.js';
import { leaseRoutes } from './routes/leases.js';
import { operationsRoutes } from './routes/operations.js';
import { predictRoutes } from './routes/predict.js';
import { preflightRoutes } from './routes/preflight.js';
import { telemetryRoutes } from './routes/telemetry.js';
import { uiRoutes } from './routes/ui.js';

export interface ServerOptions {
  /** The model directory (`lutflow train --out`). */
  readonly modelDir: string;
  readonly apiKeys: readonly ApiKey[];
  /** Where the budget ledger keeps its journal; in memory only when absent. */
  readonly ledgerDir?: string;
  readonly ledgerFsync?: FsyncPolicy;
  readonly ledgerPolicy?: Partial<LedgerPolicy>;
  /** The PostgreSQL ledger (`postgres://…`), shared by every replica; `ledgerDir` is then unused. */
  readonly ledgerUrl?: string;
  /** A ledger built by the caller (another store); `ledgerDir` and the ledger options are then unused. */
  readonly ledger?: Ledger;
  /** Where alerts of budgets without a webhook of their own are sent (LUTFLOW_ALERT_WEBHOOK_URL); none: listed only. */
  readonly alertWebhook?: AlertWebhook;
  /** How often due alerts are sent (default 1 s); 0 sends none (tests drive delivery themselves). */
  readonly alertIntervalMs?: number;
  readonly catalog?: Catalog;
  /** A builder already holding tenant history (e.g. replayed from the run table). */
  readonly builder?: FeatureBuilder;
  /** Reload when the model directory changes (default true). */
  readonly watchModel?: boolean;
  readonly bodyLimit?: number;
  /** Pino options (`level`, `stream`, …); off when absent. */
  readonly logger?: boolean | { level: string; stream?: { write(line: string): void } };
  readonly clock?: () => number;
  /** GPU deployments (runtimes, tick interval, default server command); from LUTFLOW_DEPLOY_* when absent. */
  readonly deployments?: DeploymentSettings;
  /** Spend out on `lut.telemetry`, windows in from `lut.cost-windows` (Kafka); the server's own windows when absent. */
  readonly streaming?: Streaming;
}

const DEFAULTS = {
  /** 64 KiB: a batch of 100 plans is about 30 KiB. /telemetry takes more (routes/telemetry.ts). */
  bodyLimit: 64 * 1024,
  watchModel: true,
  /** Tenant ids may be 256 characters; path parameters must hold them (fastify's default is 100). */
  maxParamLength: 512,
};

const LEDGER_CODES: Record<LedgerError['code'], ApiError['code']> = {
  BUDGET_NOT_FOUND: 'BUDGET_NOT_FOUND',
  BUDGET_EXISTS: 'BUDGET_EXISTS',
  RESERVATION_NOT_FOUND: 'RESERVATION_NOT_FOUND',
  RESERVATION_SETTLED: 'RESERVATION_SETTLED',
  INVALID_AMOUNT: 'INVALID_REQUEST',
  INVALID_INPUT: 'INVALID_REQUEST',
  EVENT_TIME: 'INVALID_REQUEST',
  LEDGER_UNAVAILABLE: 'LEDGER_UNAVAILABLE',
};

function toApiError(err: FastifyError | Error): ApiError {
  if (err instanceof ApiError) return err;
  const fe = err as FastifyError;
  // zlib's own errors (Z_DATA_ERROR, Z_BUF_ERROR) from a Content-Encoding: gzip body that is not whole gzip.
  if (typeof fe.code === 'string' && fe.code.startsWith('Z_')) return new ApiError('INVALID_REQUEST', `the body is not valid gzip (${err.message})`, '/');
  if (fe.validation && fe.validation.length) {
    const v = fe.validation[0];
    const missing = (v.params as { missingProperty?: string }).missingProperty;
    const extra = (v.params as { additionalProperty?: string }).additionalProperty;
    const field = `${v.instancePath}${missing ? `/${missing}` : extra ? `/${extra}` : ''}` || '/';
    const what = missing ? 'is required' : extra ? 'is not a known field' : v.message ?? 'is invalid';
    return new ApiError('INVALID_REQUEST', `${fe.validationContext ?? 'body'} ${field} ${what}`, field);
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new ApiError('PAYLOAD_TOO_LARGE', err.message);
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new ApiError('UNSUPPORTED_MEDIA_TYPE', err.message);
  if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (fe.statusCode === 400 && err instanceof SyntaxError)) return new ApiError('INVALID_REQUEST', `body is not valid JSON: ${err.message}`, '/');
  if (err instanceof LedgerError) return new ApiError(LEDGER_CODES[err.code], err.message, err.field);
  if (err instanceof PricingError) return new ApiError('UNKNOWN_NAME', err.message, err.field);
  if (err instanceof RangeError && /usd/.test(err.message)) return new ApiError('INVALID_REQUEST', err.message);
  if (err instanceof ModelError) return new ApiError('MODEL_UNAVAILABLE', err.message, err.field);
  return new ApiError('INTERNAL', 'internal error');
}

/** The serving API. Every dependency comes in through the options, so tests substitute clocks, ledgers and models. */
export async function buildServer(opts: ServerOptions): Promise<{ app: FastifyInstance; context: ServingContext }> {
  const o = { ...DEFAULTS, ...opts };
  const app = Fastify({
    logger: o.logger ?? false, bodyLimit: o.bodyLimit, routerOptions: { maxParamLength: o.maxParamLength }, logController: new RequestsAtDebug(),
    ajv: { customOptions: { allErrors: false, coerceTypes: false, removeAdditional: false } },
  });
  const catalog = o.catalog ?? builtinCatalog();
  const metrics = createMetrics();
  const registry = new ModelRegistry(o.modelDir, metrics, app.log);
  const builder = o.builder ?? createFeatureBuilder({ catalog });
  const clock = o.clock ?? Date.now;
  const ledgerPolicy = { ...DEFAULT_POLICY, ...o.ledgerPolicy };
  const ledger = o.ledger
    ?? (o.ledgerUrl
      ? await PgLedger.open({ url: o.ledgerUrl, clock, policy: ledgerPolicy, log: ledgerLog(app) })
      : new FileLedger({ dir: o.ledgerDir, clock, policy: ledgerPolicy, fsync: o.ledgerFsync, log: ledgerLog(app) }));
  const context: ServingContext = {
    catalog, builder, registry, metrics, clock, ledger, ledgerPolicy, spendFeed: new SpendFeed(), streaming: o.streaming,
    keys: new KeyRing(o.apiKeys),
    predictor: createPredictor({ registry, builder, catalog, clock, onPrediction: pairCounter(metrics.predictions, 'quantity', 'outcome') }),
  };

  await app.register(swagger, {
    openapi: {
      info: { title: 'Lutflow serving API', version: '0.1.0', description: 'Cost prediction before launch, pre-flight budget decisions, budgets with reservations.' },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
    },
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const e = toApiError(err);
    if (e.code === 'INTERNAL') req.log.error({ err }, 'unhandled error');
    if (e.code === 'LEDGER_UNAVAILABLE') {
      metrics.ledgerUnavailable.inc();
      req.log.warn({ err }, 'ledger unavailable');
      reply.header('retry-after', '5');
    }
    const body: ErrorBody = { error: { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) } };
    reply.code(e.statusCode).send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url}` } } satisfies ErrorBody);
  });
  const meter = requestMeter(metrics.requests, metrics.latency);
  app.addHook('onResponse', (req, reply, done) => {
    meter(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });

  predictRoutes(app, context);
  preflightRoutes(app, context);
  budgetRoutes(app, context);
  leaseRoutes(app, context);
  alertRoutes(app, context);
  telemetryRoutes(app, context);
  deploymentRoutes(app, context, o);
  operationsRoutes(app, context);
  uiRoutes(app, context);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  registry.reload();
  if (o.watchModel) registry.watch();
  const deliverer = o.alertIntervalMs === 0
    ? undefined
    : startAlertDeliverer({ ledger, defaultWebhook: o.alertWebhook, clock, intervalMs: o.alertIntervalMs, log: app.log });
  app.addHook('onClose', async () => {
    registry.close();
    await deliverer?.stop();
    await o.streaming?.close().catch((err: unknown) => app.log.warn({ err }, 'closing the Kafka clients failed'));
    await ledger.close();
  });
  await app.ready();
  return { app, context };
}

function ledgerLog(app: FastifyInstance) {
  return { warn: (msg: string) => app.log.warn(msg), error: (msg: string) => app.log.error(msg) };
}
