import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { validate, type FieldError } from '../../stream/index.js';
import { authorizeTenant, type ServingContext } from '../context.js';

const TelemetryBody = Type.Object({
  events: Type.Array(Type.Unknown(), { minItems: 1, maxItems: 1000, description: 'lut.telemetry events' }),
}, { additionalProperties: false });

/** Event ids already applied, so a client that retries a batch never spends twice. */
class RecentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly capacity: number) {}
  /** True the first time an id is seen. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value!);
    return true;
  }
}

/**
 * Spend reported by SDK clients (`endpoint` / LUTFLOW_ENDPOINT): each valid event's cost is added to its
 * tenant's budget at its event time. Invalid events are answered with their field errors; an event id
 * is applied once. Metered calls report here; planned runs settle their reservations instead; a run
 * should use one of the two, or its spend counts twice.
 */
export function telemetryRoutes(app: FastifyInstance, ctx: ServingContext): void {
  const seen = new RecentIds(200_000);
  app.post<{ Body: Static<typeof TelemetryBody> }>('/telemetry', {
    schema: { summary: 'report lut.telemetry events; their cost is added to the tenant budgets', tags: ['budgets'], body: TelemetryBody },
  }, async (req) => {
    const rejected: { index: number; errors: FieldError[] }[] = [];
    let applied = 0, duplicates = 0, noBudget = 0;
    const valid = req.body.events.map((e, index) => {
      const v = validate('lut.telemetry', e);
      if (!v.ok) rejected.push({ index, errors: v.errors });
      return v.ok ? v.value : undefined;
    });
    for (const e of valid) if (e) authorizeTenant(ctx, req, e.tenant_id);
    for (const e of valid) {
      if (!e) continue;
      if (!seen.add(e.event_id)) { duplicates++; continue; }
      ctx.metrics.telemetry.inc({ outcome: e.outcome });
      if (e.cost_usd_micros === 0) { applied++; continue; }
      if (!ctx.ledger.has(e.tenant_id)) { noBudget++; continue; }
      ctx.ledger.spend(e.tenant_id, e.cost_usd_micros, Date.parse(e.event_time));
      applied++;
    }
    return { accepted: applied, duplicates, without_budget: noBudget, rejected };
  });
}
