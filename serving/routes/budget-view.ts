import { microsToUsd } from '../../pricing/index.js';
import type { BudgetStatus } from '../ledger/index.js';

/** A budget as the API shows it: micro-dollars exact, USD for people, windows as ISO times. */
export function budgetView(s: BudgetStatus) {
  const b = s.budget;
  return {
    tenant_id: b.tenant_id, window: b.window, reset_hour_utc: b.reset_hour_utc, reset_day: b.reset_day, alert_threshold: b.alert_threshold,
    limit_usd: microsToUsd(b.limit_micros), limit_micros: b.limit_micros,
    spent_usd: microsToUsd(s.spent_micros), spent_micros: s.spent_micros,
    reserved_usd: microsToUsd(s.reserved_micros), reserved_micros: s.reserved_micros,
    remaining_usd: microsToUsd(s.remaining_micros), remaining_micros: s.remaining_micros,
    open_reservations: s.reservations, alert: s.alert,
    window_start: b.window === 'total' ? null : new Date(s.window_start).toISOString(),
    window_end: b.window === 'total' ? null : new Date(s.window_end).toISOString(),
    ...(b.price_overrides ? { price_overrides: b.price_overrides } : {}),
    created_at: b.created_at, updated_at: b.updated_at,
  };
}
