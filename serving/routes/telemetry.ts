import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { TOPICS, validate, type FieldError, type TelemetryEvent } from '../../stream/index.js';
import { authorizeTenant, type ServingContext } from '../context.js';
import { eventTimeError, LedgerError, type ChargeInput } from '../ledger/index.js';
import { gunzipBody } from '../gzip.js';

/** 1 MiB after gzip is undone: 1,000 events of about 320 bytes fit with room to spare. */
export const TELEMETRY_BODY_LIMIT = 1024 * 1024;
export const TELEMETRY_MAX_EVENTS = 1000;

const TelemetryBody = Type.Object({
  events: Type.Array(Type.Unknown(), { minItems: 1, maxItems: TELEMETRY_MAX_EVENTS, description: 'lut.telemetry events' }),
}, { additionalProperties: false });

/**
 * Spend reported by SDK clients (`endpoint` / LUTFLOW_ENDPOINT): each valid event's cost is charged to its
 * tenant's budget and every ancestor scope's (`acme/search` → also `acme`) under the event-time policy, once
 * per (tenant, event id), durably with the id. Invalid
 * events (and events dated too far ahead or too far back) are answered with their field errors. A batch
 * answered 503 may be sent again as it is: what was charged is not charged twice. Metered calls report
 * here; planned runs settle their reservations instead; a run should use one of the two. In the at-scale mode
 * (`ctx.streaming`) the events of tenants with a budget also go out on `lut.telemetry` for the window job,
 * which counts each event id once however often a batch is sent.
 */
export function telemetryRoutes(app: FastifyInstance, ctx: ServingContext): void {
  app.post<{ Body: Static<typeof TelemetryBody> }>('/telemetry', {
    bodyLimit: TELEMETRY_BODY_LIMIT,
    preParsing: gunzipBody(),
    schema: {
      summary: 'report lut.telemetry events (gzip bodies accepted); their cost is charged to the tenant budgets, each event id once',
      tags: ['budgets'], body: TelemetryBody,
    },
  }, async (req) => {
    const now = ctx.clock();
    const rejected: { index: number; errors: FieldError[] }[] = [];
    const valid: TelemetryEvent[] = [];
    req.body.events.forEach((e, index) => {
      const v = validate('lut.telemetry', e);
      if (!v.ok) return rejected.push({ index, errors: v.errors });
      const bad = eventTimeError(Date.parse(v.value.event_time), now, ctx.ledgerPolicy);
      if (bad) return rejected.push({ index, errors: [{ path: '/event_time', message: bad }] });
      valid.push(v.value);
    });
    for (const e of valid) authorizeTenant(ctx, req, e.tenant_id);
    const byTenant = new Map<string, TelemetryEvent[]>();
    for (const e of valid) {
      ctx.metrics.telemetry.inc({ outcome: e.outcome });
      let list = byTenant.get(e.tenant_id);
      if (!list) byTenant.set(e.tenant_id, (list = []));
      list.push(e);
    }
    let accepted = 0, late = 0, duplicates = 0, covered = 0, withoutBudget = 0;
    for (const [tenant, events] of byTenant) {
      const items: ChargeInput[] = events.map((e) => ({ id: e.event_id, micros: e.cost_usd_micros, at: Date.parse(e.event_time), ...(e.lease_id ? { lease: e.lease_id } : {}) }));
      const r = await ctx.ledger.charge(tenant, items).catch((err) => {
        if (err instanceof LedgerError && err.code === 'BUDGET_NOT_FOUND') return undefined;
        throw err;
      });
      if (!r) { withoutBudget += items.length; continue; }
      for (const e of events) ctx.streaming?.telemetry.publish(TOPICS.telemetry, tenant, e);
      accepted += r.charged + r.late + r.covered;
      late += r.late;
      duplicates += r.duplicates;
      covered += r.covered;
    }
    return { accepted, late, duplicates, covered, without_budget: withoutBudget, rejected };
  });
}
