import { microsToUsd } from '../../pricing/index.js';
import type { BudgetStatus } from '../ledger/index.js';

const DAY_MS = 86_400_000;

/**
 * When the budget runs out at the last 24 hours' spend rate: null when nothing was spent, or when the window
 * resets first (`resets_first`).
 */
export function forecast(s: BudgetStatus, now: number) {
  const perDay = s.recent_spend_micros;
  if (perDay <= 0) return { spend_rate_usd_per_day: 0, days_left: null, runs_out_at: null, resets_first: false };
  const days = Math.max(0, s.remaining_micros) / perDay;
  const at = now + days * DAY_MS;
  return {
    spend_rate_usd_per_day: microsToUsd(perDay), days_left: Math.round(days * 100) / 100,
    runs_out_at: Number.isFinite(at) ? new Date(at).toISOString() : null, resets_first: at >= s.window_end,
  };
}

/** A budget as the API shows it: micro-dollars exact, USD for people, windows as ISO times, no webhook secret. */
export function budgetView(s: BudgetStatus, now = Date.now()) {
  const b = s.budget;
  return {
    tenant_id: b.tenant_id, window: b.window, reset_hour_utc: b.reset_hour_utc, reset_day: b.reset_day, alert_threshold: b.alert_threshold,
    alert_thresholds: b.alert_thresholds,
    ...(b.alert_webhook ? { alert_webhook: { url: b.alert_webhook.url, format: b.alert_webhook.format ?? 'json', signed: !!b.alert_webhook.secret } } : {}),
    limit_usd: microsToUsd(b.limit_micros), limit_micros: b.limit_micros,
    spent_usd: microsToUsd(s.spent_micros), spent_micros: s.spent_micros,
    reserved_usd: microsToUsd(s.reserved_micros), reserved_micros: s.reserved_micros,
    remaining_usd: microsToUsd(s.remaining_micros), remaining_micros: s.remaining_micros,
    open_reservations: s.reservations, alert: s.alert,
    window_start: b.window === 'total' ? null : new Date(s.window_start).toISOString(),
    window_end: b.window === 'total' ? null : new Date(s.window_end).toISOString(),
    forecast: forecast(s, now),
    ...(b.price_overrides ? { price_overrides: b.price_overrides } : {}),
    ...(b.model_policy ? { model_policy: b.model_policy } : {}),
    created_at: b.created_at, updated_at: b.updated_at,
  };
}
