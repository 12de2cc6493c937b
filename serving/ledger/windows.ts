export type BudgetWindow = 'total' | 'daily' | 'monthly';

export interface WindowRule {
  readonly window: BudgetWindow;
  /** Hour of the day (UTC) a daily or monthly window resets. */
  readonly resetHourUtc: number;
  /** Day of the month (1-28) a monthly window resets. */
  readonly resetDay: number;
}

/** Start and end (ms) of the budget window that contains `at`. A total window never ends. */
export function windowAt(rule: WindowRule, at: number): { start: number; end: number } {
  if (rule.window === 'total') return { start: 0, end: Infinity };
  const d = new Date(at);
  if (rule.window === 'daily') {
    let start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), rule.resetHourUtc);
    if (start > at) start -= 86_400_000;
    return { start, end: start + 86_400_000 };
  }
  let y = d.getUTCFullYear(), m = d.getUTCMonth();
  let start = Date.UTC(y, m, rule.resetDay, rule.resetHourUtc);
  if (start > at) { m -= 1; if (m < 0) { m = 11; y -= 1; } start = Date.UTC(y, m, rule.resetDay, rule.resetHourUtc); }
  const end = Date.UTC(m === 11 ? y + 1 : y, (m + 1) % 12, rule.resetDay, rule.resetHourUtc);
  return { start, end };
}
