import { MinHeap } from '../../lib/heap.js';
import { SpendBuckets } from './spend.js';
import { DEFAULT_ALERT_THRESHOLDS, type Alert, type AlertDelivery, type Budget, type LedgerPolicy, type Reservation } from './types.js';
import type { WindowRule } from './windows.js';

/**
 * One change, as journaled. Replaying the same entries onto the same snapshot gives the same state. `chain`:
 * the budgets the change applies to, decided when it was made — the tenant's own and every ancestor scope's
 * that has a budget (`acme/search/alice` → itself, `acme/search`, `acme`); absent in older entries: the tenant's.
 */
export type Change =
  | { op: 'budget'; budget: Budget }
  | { op: 'reserve'; reservation: Reservation; chain?: string[] }
  | { op: 'settle'; tenant_id: string; id: string; micros: number; at: number; chain?: string[] }
  | { op: 'release'; tenant_id: string; id: string; at: number; chain?: string[] }
  /** A longer life for an open reservation (a lease its holder renews). */
  | { op: 'extend'; tenant_id: string; id: string; expires_at: number; chain?: string[] }
  /** Metered costs: `at` is the charge time the event-time policy chose; `keep` how long the id is remembered. */
  | { op: 'charge'; tenant_id: string; items: ChargeItem[]; chain?: string[] }
  | { op: 'alert'; alert: Alert }
  | { op: 'delivery'; id: string; delivery: AlertDelivery }
  /** Written by a health probe to check the store takes writes again (padded to a large record's size); changes nothing. */
  | { op: 'noop'; pad?: string };

export type Entry = Change & { seq: number };

/**
 * One charge as decided when it was made. `lease`: it was spent under that reservation while it was open,
 * which then holds that much less; `covered`: the reservation's settle already counted it (not spent again).
 */
export interface ChargeItem {
  readonly id: string;
  readonly micros: number;
  readonly at: number;
  readonly keep: number;
  readonly lease?: string;
  /** The budgets holding the lease (its own chain, which may reach further than this charge's). */
  readonly lease_levels?: string[];
  readonly covered?: boolean;
}

/** A reservation that no longer holds budget, remembered so that a late settle still charges once. */
interface Closed {
  readonly state: 'expired' | 'released' | 'settled';
  /** The scope it was made for (absent in snapshots written before scopes). */
  readonly tenant_id?: string;
  readonly amount_micros: number;
  readonly expires_at: number;
  /** Forgotten from then on (ms): the settle grace period after it expired or closed, whichever is later. */
  readonly until: number;
}

export interface TenantState {
  budget: Budget;
  readonly spend: SpendBuckets;
  readonly open: Map<string, Reservation>;
  reserved: number;
  readonly closed: Map<string, Closed>;
  /** What was charged under each reservation (leases); the reserved sum holds only what is left of each. */
  readonly drawn: Map<string, number>;
  /** Event ids already charged (`seenKey`), with the time they may be forgotten. */
  readonly seen: Map<string, number>;
}

export interface SnapshotTenant {
  budget: Budget;
  spend: ReturnType<SpendBuckets['toJSON']>;
  open: Reservation[];
  closed: [string, Closed][];
  /** Absent in format 2 (before leases). */
  drawn?: [string, number][];
  seen: [string, number][];
}

export interface Snapshot {
  format: 2 | 3;
  seq: number;
  tenants: SnapshotTenant[];
  alerts?: Alert[];
  /** Every alert ever raised, by key, also those whose record was dropped: what makes each fire once. */
  alert_keys?: string[];
}

/** Alert records are kept this long (ms) for `GET /alerts`; their keys forever. */
const ALERT_RETENTION_MS = 90 * 86_400_000;

export const alertKey = (a: Pick<Alert, 'tenant_id' | 'kind' | 'subject' | 'window_start'>) =>
  `${a.tenant_id}\u0000${a.kind}\u0000${a.subject}\u0000${a.window_start}`;

interface Due {
  readonly at: number;
  readonly tenant: string;
  readonly id: string;
}

/**
 * How a budget remembers an event id charged to it: ids are per reporting tenant, so an ancestor's budget keys
 * its descendants' ids by who reported them (two sibling scopes may both send an id `1`).
 */
export function seenKey(level: string, reporter: string, id: string): string {
  return level === reporter ? id : `${reporter}\u0000${id}`;
}

export function ruleOf(b: Budget): WindowRule {
  return { window: b.window, resetHourUtc: b.reset_hour_utc, resetDay: b.reset_day };
}

/**
 * The ledger's state in memory: budgets, spend buckets, open and recently closed reservations with a
 * running sum, and the event ids charged. `apply` is the only way it changes; time only ever expires
 * reservations and forgets ids (from heaps, never by scanning), which needs no journal entry.
 */
export class LedgerState {
  readonly tenants = new Map<string, TenantState>();
  readonly alerts = new Map<string, Alert>();
  readonly alertKeys = new Set<string>();
  private readonly expiries = new MinHeap<Due>((d) => d.at);
  private readonly forgets = new MinHeap<Due & { kind: 'closed' | 'seen' }>((d) => d.at);

  constructor(private readonly policy: LedgerPolicy) {}

  apply(e: Change): void {
    if (e.op === 'noop') return;
    if (e.op === 'alert') {
      this.alerts.set(e.alert.id, e.alert);
      this.alertKeys.add(alertKey(e.alert));
      return;
    }
    if (e.op === 'delivery') {
      const a = this.alerts.get(e.id);
      if (a) this.alerts.set(e.id, { ...a, delivery: e.delivery });
      return;
    }
    if (e.op === 'budget') {
      // Budgets journaled before alert thresholds existed get the defaults.
      const budget = withAlertDefaults(e.budget);
      const t = this.tenants.get(budget.tenant_id);
      if (t) t.budget = budget;
      else this.tenants.set(budget.tenant_id, newTenant(budget));
      return;
    }
    for (const level of e.chain ?? [e.op === 'reserve' ? e.reservation.tenant_id : e.tenant_id]) {
      const t = this.tenants.get(level);
      if (t) this.applyTo(t, level, e);
    }
    // A cost spent under a lease draws the lease down in every budget holding it, whoever reported the cost.
    if (e.op === 'charge') {
      for (const it of e.items) {
        if (!it.lease || it.covered) continue;
        for (const level of it.lease_levels ?? e.chain ?? [e.tenant_id]) {
          const t = this.tenants.get(level);
          if (t) this.draw(t, it.lease, it.micros);
        }
      }
    }
  }

  private applyTo(t: TenantState, level: string, e: Exclude<Change, { op: 'noop' | 'alert' | 'delivery' | 'budget' }>): void {
    switch (e.op) {
      case 'reserve':
        t.open.set(e.reservation.id, e.reservation);
        t.reserved += e.reservation.amount_micros;
        this.expiries.push({ at: e.reservation.expires_at, tenant: level, id: e.reservation.id });
        break;
      case 'settle':
        this.close(t, level, e.id, 'settled', e.at);
        t.spend.add(e.at, e.micros);
        break;
      case 'release':
        this.close(t, level, e.id, 'released', e.at);
        break;
      case 'extend': {
        const r = t.open.get(e.id);
        if (!r) break;
        t.open.set(e.id, { ...r, expires_at: e.expires_at });
        this.expiries.push({ at: e.expires_at, tenant: level, id: e.id });
        break;
      }
      case 'charge':
        // Entries were de-duplicated and drawn when they were made; deciding again here would depend on
        // when the journal is replayed (an id forgotten and charged again must stay charged twice).
        for (const it of e.items) {
          const key = seenKey(level, e.tenant_id, it.id);
          t.seen.set(key, it.keep);
          this.forgets.push({ at: it.keep, tenant: level, id: key, kind: 'seen' });
          if (!it.covered) t.spend.add(it.at, it.micros);
        }
        break;
    }
  }

  private close(t: TenantState, tenant: string, id: string, state: Closed['state'], at: number): void {
    const open = t.open.get(id);
    const before = t.closed.get(id);
    if (open) {
      t.open.delete(id);
      t.reserved -= this.held(t, open);
    }
    const expires = open?.expires_at ?? before?.expires_at ?? at;
    const until = Math.max(expires, at) + this.policy.settleGraceMs;
    const tenantId = open?.tenant_id ?? before?.tenant_id;
    t.closed.set(id, {
      state, ...(tenantId === undefined ? {} : { tenant_id: tenantId }), amount_micros: open?.amount_micros ?? before?.amount_micros ?? 0, expires_at: expires, until,
    });
    this.forgets.push({ at: until, tenant, id, kind: 'closed' });
  }

  /** Moves reservations past their TTL out of the reserved sum; forgets closed ones and ids past their time. */
  tick(now: number): void {
    for (const d of this.expiries.popUntil(now)) {
      const t = this.tenants.get(d.tenant);
      const r = t?.open.get(d.id);
      if (!t || !r || r.expires_at !== d.at) continue;
      t.open.delete(d.id);
      t.reserved -= this.held(t, r);
      const until = r.expires_at + this.policy.settleGraceMs;
      t.closed.set(d.id, { state: 'expired', tenant_id: r.tenant_id, amount_micros: r.amount_micros, expires_at: r.expires_at, until });
      this.forgets.push({ at: until, tenant: d.tenant, id: d.id, kind: 'closed' });
    }
    for (const d of this.forgets.popUntil(now)) {
      const t = this.tenants.get(d.tenant);
      if (!t) continue;
      if (d.kind === 'seen') {
        if (t.seen.get(d.id) === d.at) t.seen.delete(d.id);
      } else if (t.closed.get(d.id)?.until === d.at) {
        t.closed.delete(d.id);
        t.drawn.delete(d.id);
      }
    }
  }

  /** What an open reservation still holds: its amount less what was charged under it, never below 0. */
  held(t: TenantState, r: Reservation): number {
    return Math.max(0, r.amount_micros - (t.drawn.get(r.id) ?? 0));
  }

  private draw(t: TenantState, lease: string, micros: number): void {
    const r = t.open.get(lease);
    const before = r ? this.held(t, r) : 0;
    t.drawn.set(lease, (t.drawn.get(lease) ?? 0) + micros);
    t.reserved -= Math.min(before, micros);
  }

  /** Where reservation `id` stands for `tenant`: open, closed (with how), or unknown. */
  find(tenant: TenantState, id: string): { open: Reservation } | { closed: Closed } | undefined {
    const open = tenant.open.get(id);
    if (open) return { open };
    const closed = tenant.closed.get(id);
    return closed && { closed };
  }

  snapshot(seq: number, now: number): Snapshot {
    return {
      format: 3,
      seq,
      alerts: [...this.alerts.values()].filter((a) => a.at >= now - ALERT_RETENTION_MS),
      alert_keys: [...this.alertKeys],
      tenants: [...this.tenants.values()].map((t) => ({
        budget: t.budget, spend: t.spend.toJSON(), open: [...t.open.values()], closed: [...t.closed],
        drawn: [...t.drawn].filter(([id]) => t.open.has(id) || t.closed.has(id)), seen: [...t.seen],
      })),
    };
  }

  restore(snap: Snapshot): void {
    for (const alert of snap.alerts ?? []) this.apply({ op: 'alert', alert });
    for (const key of snap.alert_keys ?? []) this.alertKeys.add(key);
    for (const s of snap.tenants) {
      const t = newTenant(withAlertDefaults(s.budget), SpendBuckets.fromJSON(s.spend));
      this.tenants.set(s.budget.tenant_id, t);
      for (const [id, d] of s.drawn ?? []) t.drawn.set(id, d);
      for (const r of s.open) {
        this.applyTo(t, s.budget.tenant_id, { op: 'reserve', reservation: r });
        t.reserved -= r.amount_micros - this.held(t, r);
      }
      for (const [id, c] of s.closed) {
        t.closed.set(id, c);
        this.forgets.push({ at: c.until, tenant: s.budget.tenant_id, id, kind: 'closed' });
      }
      for (const [id, keep] of s.seen) {
        t.seen.set(id, keep);
        this.forgets.push({ at: keep, tenant: s.budget.tenant_id, id, kind: 'seen' });
      }
    }
  }
}

function withAlertDefaults(b: Budget): Budget {
  return b.alert_thresholds ? b : { ...b, alert_thresholds: DEFAULT_ALERT_THRESHOLDS };
}

function newTenant(budget: Budget, spend = new SpendBuckets()): TenantState {
  return { budget, spend, open: new Map(), reserved: 0, closed: new Map(), drawn: new Map(), seen: new Map() };
}
