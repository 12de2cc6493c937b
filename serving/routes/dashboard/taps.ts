import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { LaunchPlan, TelemetryEvent } from '../../../stream/index.js';
import type { ServingContext } from '../../context.js';
import type { PreflightAnswer, RunBook } from './run-book.js';
import type { SpendBook } from './spend-book.js';

const SETTLE = '/budgets/:tenant_id/reservations/:reservation_id/settle';
const RELEASE = '/budgets/:tenant_id/reservations/:reservation_id/release';
const TAPPED = new Set(['/telemetry', '/preflight', SETTLE, RELEASE]);

type Params = { tenant_id: string; reservation_id: string };
/** What POST /telemetry answered (serving/routes/telemetry.ts): the events it refused, by index. */
type TelemetryAnswer = { rejected: { index: number }[] };

/**
 * Feeds the dashboard's books from what the API already answers, before the answer is sent (so a client that
 * got its 200 finds it on the dashboard): telemetry the ledger charged, pre-flight decisions, settles and
 * releases. Only successful answers count; the books never change what a route answers.
 */
export function tapRoutes(app: FastifyInstance, ctx: ServingContext, books: { spend: SpendBook; runs: RunBook }): void {
  // A callback hook, not an async one: every other route (POST /predict above all) passes through at no cost.
  app.addHook('preSerialization', (req, reply, payload, done) => {
    const route = req.routeOptions.url;
    if (req.method !== 'POST' || reply.statusCode !== 200 || route === undefined || !TAPPED.has(route)) return done(null, payload);
    const failed = (err: unknown) => req.log.warn({ err }, 'dashboard tap failed; the answer is unchanged');
    try {
      if (route === '/telemetry') {
        charged(ctx, req, payload as TelemetryAnswer, books.spend).catch(failed).finally(() => done(null, payload));
        return;
      }
      if (route === '/preflight') books.runs.preflight((req.body as { plan: LaunchPlan }).plan, payload as PreflightAnswer);
      else {
        const p = req.params as Params;
        books.runs.closed(p.tenant_id, p.reservation_id, route === SETTLE ? (req.body as { cost_usd: number }).cost_usd : undefined);
      }
    } catch (err) {
      failed(err);
    }
    done(null, payload);
  });
}

/** A scope and its ancestors: `acme/search/alice`, `acme/search`, `acme`. */
const scopes = (tenant: string) => tenant.split('/').map((_, i, parts) => parts.slice(0, parts.length - i).join('/'));

/**
 * The events of a telemetry batch that the ledger charged: those the route did not reject (it validated them and
 * their event times), of a tenant with a budget (its own or a parent's).
 */
async function charged(ctx: ServingContext, req: FastifyRequest, answer: TelemetryAnswer, spend: SpendBook): Promise<void> {
  const rejected = new Set(answer.rejected.map((r) => r.index));
  const events = (req.body as { events: TelemetryEvent[] }).events.filter((_, i) => !rejected.has(i));
  const budgeted = new Map<string, boolean>();
  for (const e of events) {
    if (budgeted.has(e.tenant_id)) continue;
    let found = false;
    for (const s of scopes(e.tenant_id)) if (!found) found = await ctx.ledger.has(s);
    budgeted.set(e.tenant_id, found);
  }
  for (const e of events) if (budgeted.get(e.tenant_id)) spend.record(e);
}
