import type { FastifyInstance, FastifyRequest } from 'fastify';
import { validate, type LaunchPlan, type TelemetryEvent } from '../../../stream/index.js';
import type { ServingContext } from '../../context.js';
import { eventTimeError } from '../../ledger/index.js';
import type { PreflightAnswer, RunBook } from './run-book.js';
import type { SpendBook } from './spend-book.js';

const SETTLE = '/budgets/:tenant_id/reservations/:reservation_id/settle';
const RELEASE = '/budgets/:tenant_id/reservations/:reservation_id/release';

type Params = { tenant_id: string; reservation_id: string };

/**
 * Feeds the dashboard's books from what the API already answers, before the answer is sent (so a client that
 * got its 200 finds it on the dashboard): telemetry the ledger charged, pre-flight decisions, settles and
 * releases. Only successful answers count; the books never change what a route answers.
 */
export function tapRoutes(app: FastifyInstance, ctx: ServingContext, books: { spend: SpendBook; runs: RunBook }): void {
  app.addHook('preSerialization', async (req, reply, payload) => {
    if (req.method !== 'POST' || reply.statusCode !== 200) return payload;
    const route = req.routeOptions.url;
    try {
      if (route === '/telemetry') await charged(ctx, req, books.spend);
      else if (route === '/preflight') books.runs.preflight((req.body as { plan: LaunchPlan }).plan, payload as PreflightAnswer);
      else if (route === SETTLE || route === RELEASE) {
        const p = req.params as Params;
        books.runs.closed(p.tenant_id, p.reservation_id, route === SETTLE ? (req.body as { cost_usd: number }).cost_usd : undefined);
      }
    } catch (err) {
      req.log.warn({ err }, 'dashboard tap failed; the answer is unchanged');
    }
    return payload;
  });
}

/** A scope and its ancestors: `acme/search/alice`, `acme/search`, `acme`. */
const scopes = (tenant: string) => tenant.split('/').map((_, i, parts) => parts.slice(0, parts.length - i).join('/'));

/** The events of a telemetry batch that the ledger charged: valid, on time, of a tenant with a budget (its own or a parent's). */
async function charged(ctx: ServingContext, req: FastifyRequest, spend: SpendBook): Promise<void> {
  const now = ctx.clock();
  const events: TelemetryEvent[] = [];
  for (const e of (req.body as { events: unknown[] }).events) {
    const v = validate('lut.telemetry', e);
    if (v.ok && !eventTimeError(Date.parse(v.value.event_time), now, ctx.ledgerPolicy)) events.push(v.value);
  }
  const budgeted = new Map<string, boolean>();
  for (const e of events) {
    if (budgeted.has(e.tenant_id)) continue;
    let found = false;
    for (const s of scopes(e.tenant_id)) if (!found) found = await ctx.ledger.has(s);
    budgeted.set(e.tenant_id, found);
  }
  for (const e of events) if (budgeted.get(e.tenant_id)) spend.record(e);
}
