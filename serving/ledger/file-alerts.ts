import { randomUUID } from 'node:crypto';
import { ALERT_CLAIM_MS, nextDelivery, thresholdMessage } from './rules.js';
import { alertKey, ruleOf, type Change, type LedgerState, type TenantState } from './state.js';
import type { Alert, DeliveryResult, RaiseInput } from './types.js';
import { windowAt } from './windows.js';

/**
 * The file ledger's alerts: raised into the journal like any change, at most once per (tenant, kind,
 * subject, window) because the key is checked and recorded in one synchronous step.
 */
export class FileAlerts {
  /** Claims of this process only: the file ledger has one writer. */
  private readonly claims = new Map<string, number>();

  constructor(
    private readonly state: LedgerState,
    private readonly record: (c: Change) => Promise<void>,
    private readonly clock: () => number,
  ) {}

  private alert(t: TenantState, kind: Alert['kind'], subject: string, spent: number, message: string): Alert | undefined {
    const now = this.clock();
    const a = {
      tenant_id: t.budget.tenant_id, kind, subject, window_start: windowAt(ruleOf(t.budget), now).start,
    };
    if (this.state.alertKeys.has(alertKey(a))) return undefined;
    return {
      id: `alert_${randomUUID()}`, ...a, at: now, spent_micros: spent, limit_micros: t.budget.limit_micros, message,
      delivery: { state: 'pending', attempts: 0, next_at: now },
    };
  }

  /** Raises every threshold the spend has reached in this window and not raised yet. */
  async thresholds(t: TenantState): Promise<void> {
    const spent = t.spend.inWindow(ruleOf(t.budget), this.clock());
    const limit = t.budget.limit_micros;
    if (spent <= 0) return;
    for (const share of t.budget.alert_thresholds) {
      if (spent < share * limit) continue;
      const a = this.alert(t, 'threshold', String(share), spent, thresholdMessage(t.budget.tenant_id, share, spent, limit));
      if (a) await this.record({ op: 'alert', alert: a });
    }
  }

  async raise(t: TenantState, input: RaiseInput): Promise<Alert | undefined> {
    const a = this.alert(t, input.kind, input.subject, t.spend.inWindow(ruleOf(t.budget), this.clock()), input.message);
    if (a) await this.record({ op: 'alert', alert: a });
    return a;
  }

  list(opts: { tenants?: readonly string[]; limit: number }): Alert[] {
    const want = opts.tenants;
    return [...this.state.alerts.values()]
      .filter((a) => !want || want.some((t) => a.tenant_id === t || a.tenant_id.startsWith(`${t}/`)))
      .sort((x, y) => y.at - x.at)
      .slice(0, opts.limit);
  }

  due(max: number): Alert[] {
    const now = this.clock();
    const out: Alert[] = [];
    for (const a of this.state.alerts.values()) {
      if (out.length >= max) break;
      if (a.delivery.state !== 'pending' || a.delivery.next_at > now || (this.claims.get(a.id) ?? 0) > now) continue;
      this.claims.set(a.id, now + ALERT_CLAIM_MS);
      out.push(a);
    }
    return out;
  }

  async delivered(id: string, result: DeliveryResult): Promise<void> {
    const a = this.state.alerts.get(id);
    if (!a) return;
    this.claims.delete(id);
    await this.record({ op: 'delivery', id, delivery: nextDelivery(a.delivery, result, this.clock()) });
  }
}
