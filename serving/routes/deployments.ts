import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { usdToMicros } from '../../pricing/index.js';
import { PRINTABLE } from '../../stream/index.js';
import { KeyRing } from '../auth.js';
import { authorizeTenant, keyOf, type ServingContext } from '../context.js';
import { ApiError, type ApiErrorCode } from '../errors.js';
import { deploymentSettings, runtimesFor, type DeploymentSettings } from '../deployments/options.js';
import { DeployInputError, DeploymentService, type DeploymentEvent } from '../deployments/service.js';
import { reportOf, type DeploymentView } from '../deployments/view.js';

const Name = (description: string) => Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$', description });

export const DeployBody = Type.Object({
  tenant_id: Type.String({ minLength: 1, maxLength: 200, pattern: PRINTABLE, description: 'the tenant whose budgets hold the deployment' }),
  model: Name('the model to serve (Hugging Face id or catalog name)'),
  gpu_type: Type.String({ minLength: 1, maxLength: 100 }),
  gpu_count: Type.Integer({ minimum: 1, maximum: 64 }),
  runtime: Type.Optional(Type.Union([Type.Literal('local'), Type.Literal('kubernetes')], { description: 'default local' })),
  strategy: Type.Optional(Type.Union([Type.Literal('kill'), Type.Literal('scale_to_zero'), Type.Literal('warn')], { description: 'at the budget; default kill' })),
  framework: Type.Optional(Type.Union(['vllm', 'tgi', 'llama.cpp', 'sglang', 'tensorrt-llm', 'other'].map((f) => Type.Literal(f)), { description: 'default vllm' })),
  budget_usd: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e7 })),
  max_duration_s: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 366 * 86_400 })),
  workload: Type.Optional(Type.Object({
    requests: Type.Integer({ minimum: 1, maximum: 1e9 }), batch_size: Type.Integer({ minimum: 1, maximum: 1e6 }),
    prompt_tokens: Type.Integer({ minimum: 0, maximum: 1e8 }), max_output_tokens: Type.Integer({ minimum: 1, maximum: 1e8 }),
  }, { additionalProperties: false, description: 'the work it is expected to serve: the pre-flight predicts its cost' })),
  provider: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  region: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  spot: Type.Optional(Type.Boolean()),
  command: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 4096 }), { minItems: 1, maxItems: 128, description: 'local runtime, admin keys only: the server command ({model}, {port} filled in)' })),
  health_path: Type.Optional(Type.String({ pattern: '^/[A-Za-z0-9._~/-]*$', maxLength: 256 })),
  image: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  namespace: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 })),
  node_selector: Type.Optional(Type.Record(
    Type.String({ maxLength: 253, pattern: '^([a-z0-9.-]+/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$' }),
    Type.String({ maxLength: 63, pattern: '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$' }),
    { description: 'kubernetes runtime: node labels the pods must match (label syntax)' },
  )),
}, { additionalProperties: false });

const killBody = TypeCompiler.Compile(Type.Object({ reason: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }, { additionalProperties: false }));
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const ListQuery = Type.Object({ tenant_id: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })) });
const EventsQuery = Type.Object({
  tenant_id: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })), deployment_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
});

/**
 * GPU deployments under a budget: POST /deployments (pre-flight first; a refusal is 409 DEPLOYMENT_DENIED with the
 * prediction and alternatives), GET /deployments[/ID], POST /deployments/ID/kill, GET /deployments/ID/report, and
 * GET /deployments/events, a server-sent event stream of state changes, spend ticks and 10-second cost windows.
 * A tenant key sees and acts on its own tenants' deployments (and their scopes'); only an admin key may give a command.
 */
export function deploymentRoutes(app: FastifyInstance, ctx: ServingContext, opts: { ledgerDir?: string; deployments?: DeploymentSettings } = {}): void {
  const settings = deploymentSettings(process.env, opts.ledgerDir, opts.deployments);
  let service: DeploymentService | undefined;
  const streams = new Set<FastifyReply>();
  const tags = ['deployments'];
  app.addHook('onReady', async () => {
    service = new DeploymentService({
      ledger: ctx.ledger, catalog: ctx.catalog, predictor: ctx.predictor, clock: ctx.clock, log: app.log,
      onCharged: (tenant, e) => ctx.spendFeed.publish(tenant, e),
    }, {
      ...settings, runtimes: await runtimesFor(settings),
      ...(ctx.streaming ? { transport: ctx.streaming.telemetry, windows: ctx.streaming.windows } : {}),
    });
    const recovered = await service.recover();
    if (recovered.length) app.log.warn({ deployments: recovered.map((d) => d.id) }, 'deployments left by a stopped server were stopped and settled');
  });
  app.addHook('preClose', async () => {
    for (const s of streams) s.raw.end();
    await service?.close();
  });
  const svc = () => {
    if (!service) throw new ApiError('MODEL_UNAVAILABLE', 'deployments are not ready yet');
    return service;
  };
  const visible = (req: Parameters<typeof keyOf>[1], id: string): DeploymentView => {
    const d = svc().get(id);
    if (!d || !KeyRing.allows(keyOf(ctx, req), d.tenant_id)) throw new ApiError('NOT_FOUND', `no deployment '${id}'`, '/id');
    return d;
  };

  app.post<{ Body: Static<typeof DeployBody> }>('/deployments', {
    schema: { summary: 'start a model server under a budget; the pre-flight runs first', tags, body: DeployBody },
  }, async (req, reply) => {
    const b = req.body;
    const key = authorizeTenant(ctx, req, b.tenant_id);
    if (b.command && !KeyRing.isAdmin(key)) throw new ApiError('FORBIDDEN', 'only an admin key may give the server command; tenant keys run the server\'s own', '/command');
    if (b.budget_usd === undefined && b.max_duration_s === undefined) throw new ApiError('INVALID_REQUEST', 'a deployment needs budget_usd or max_duration_s (or both): something must stop it', '/budget_usd');
    let r;
    try {
      r = await svc().create({
        tenant_id: b.tenant_id, model: b.model, gpu_type: b.gpu_type, gpu_count: b.gpu_count, runtime: b.runtime ?? 'local', strategy: b.strategy ?? 'kill',
        framework: b.framework ?? 'vllm', budget_micros: b.budget_usd === undefined ? undefined : usdToMicros(b.budget_usd, 'budget_usd'),
        max_duration_ms: b.max_duration_s === undefined ? undefined : Math.round(b.max_duration_s * 1000), workload: b.workload,
        provider: b.provider, region: b.region, spot: b.spot, command: b.command ?? settings.defaultCommand, health_path: b.health_path,
        image: b.image, namespace: b.namespace, node_selector: b.node_selector,
      });
    } catch (err) {
      if (err instanceof DeployInputError) throw new ApiError('INVALID_REQUEST', err.message, err.field);
      throw err;
    }
    if (r.decision === 'deny') {
      reply.code(409);
      return { error: { code: 'DEPLOYMENT_DENIED' satisfies ApiErrorCode, message: r.reason, field: '/budget_usd' }, decision: 'deny', reason: r.reason, prediction: r.prediction, alternatives: r.alternatives };
    }
    reply.code(201);
    return { decision: 'allow', deployment: r.deployment };
  });

  app.get<{ Querystring: Static<typeof ListQuery> }>('/deployments', {
    schema: { summary: 'the deployments this key may see, newest first', tags, querystring: ListQuery },
  }, async (req) => {
    const key = keyOf(ctx, req);
    const t = req.query.tenant_id;
    if (t) KeyRing.authorize(key, t);
    return { deployments: svc().list().filter((d) => KeyRing.allows(key, d.tenant_id) && (!t || d.tenant_id === t || d.tenant_id.startsWith(`${t}/`))) };
  });

  app.get<{ Querystring: Static<typeof EventsQuery> }>('/deployments/events', {
    schema: { summary: 'server-sent events: a snapshot, then state changes, spend ticks and 10-second cost windows', tags, querystring: EventsQuery },
  }, async (req, reply) => {
    const key = keyOf(ctx, req);
    const { tenant_id: tenant, deployment_id: only } = req.query;
    if (tenant) KeyRing.authorize(key, tenant);
    const s = svc();
    const wanted = (t: string, id?: string) => KeyRing.allows(key, t) && (!tenant || t === tenant || t.startsWith(`${tenant}/`)) && (!only || id === only);
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    const send = (event: string, data: unknown) => raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    send('snapshot', {
      at: new Date(ctx.clock()).toISOString(),
      deployments: s.list().filter((d) => wanted(d.tenant_id, d.id)),
      windows: s.recent().filter((w) => wanted(w.tenant_id.split('/deployment:')[0], w.window.scope === 'deployment' ? w.window.key : undefined)),
    });
    const off = s.subscribe((e: DeploymentEvent) => {
      if (e.type === 'window') {
        if (wanted(e.tenant_id.split('/deployment:')[0], e.window.scope === 'deployment' ? e.window.key : undefined)) send('window', e);
      } else if (wanted(e.deployment.tenant_id, e.deployment.id)) send(e.type, e);
    });
    const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), 15_000);
    streams.add(reply);
    req.raw.on('close', () => {
      off();
      clearInterval(heartbeat);
      streams.delete(reply);
    });
  });

  app.get<{ Params: Static<typeof IdParams> }>('/deployments/:id', {
    schema: { summary: 'one deployment: state, reason, spend, prediction, kill timing', tags, params: IdParams },
  }, async (req) => visible(req, req.params.id));

  app.get<{ Params: Static<typeof IdParams> }>('/deployments/:id/report', {
    schema: { summary: 'predicted against actual cost of a deployment', tags, params: IdParams },
  }, async (req) => reportOf(visible(req, req.params.id)));

  app.post<{ Params: Static<typeof IdParams>; Body: unknown }>('/deployments/:id/kill', {
    schema: {
      summary: 'stop a deployment now (SIGTERM, then SIGKILL after the grace period); answers once it is gone and settled. Body (optional): {"reason": "…"}',
      tags, params: IdParams,
    },
  }, async (req) => {
    visible(req, req.params.id);
    const body = req.body ?? {};
    if (!killBody.Check(body)) throw new ApiError('INVALID_REQUEST', 'body: expected {"reason": "…"} with a reason of 1 to 200 characters, or no body', '/reason');
    return (await svc().kill(req.params.id, body.reason ?? 'user'))!;
  });
}

