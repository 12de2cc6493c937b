import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { windowAt, type BudgetWindow } from './windows.js';

export interface Budget {
  readonly tenant_id: string;
  readonly limit_micros: number;
  readonly window: BudgetWindow;
  readonly reset_hour_utc: number;
  readonly reset_day: number;
  /** Share of the limit (0-1) at which the budget raises a soft alert. */
  readonly alert_threshold: number;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface Reservation {
  readonly id: string;
  readonly tenant_id: string;
  readonly amount_micros: number;
  readonly created_at: number;
  readonly expires_at: number;
  readonly run_id?: string;
}

export interface BudgetStatus {
  readonly budget: Budget;
  readonly window_start: number;
  readonly window_end: number;
  readonly spent_micros: number;
  readonly reserved_micros: number;
  readonly remaining_micros: number;
  readonly reservations: number;
  /** True once spent + reserved reaches the alert threshold of the limit. */
  readonly alert: boolean;
}

export type LedgerErrorCode = 'BUDGET_NOT_FOUND' | 'BUDGET_EXISTS' | 'RESERVATION_NOT_FOUND' | 'INVALID_AMOUNT';

export class LedgerError extends Error {
  constructor(readonly code: LedgerErrorCode, message: string, readonly field?: string) {
    super(message);
    this.name = 'LedgerError';
  }
}

type Change =
  | { op: 'budget'; budget: Budget }
  | { op: 'reserve'; reservation: Reservation }
  | { op: 'settle'; tenant_id: string; id: string; micros: number; at: number }
  | { op: 'release'; tenant_id: string; id: string; at: number; reason: 'cancel' | 'expired' }
  | { op: 'spend'; tenant_id: string; micros: number; at: number };

type Entry = Change & { seq: number };

interface TenantState {
  budget: Budget;
  windowStart: number;
  spent: number;
  reservations: Map<string, Reservation>;
}

interface Snapshot {
  seq: number;
  tenants: { budget: Budget; windowStart: number; spent: number; reservations: Reservation[] }[];
}

export interface LedgerOptions {
  /** Directory of the journal and snapshot; in memory only when absent. */
  readonly dir?: string;
  readonly clock?: () => number;
}

export type BudgetInput = Pick<Budget, 'tenant_id' | 'limit_micros'> & Partial<Pick<Budget, 'window' | 'reset_hour_utc' | 'reset_day' | 'alert_threshold'>>;

/**
 * Per-tenant budgets with reservations, in integer micro-dollars. Reserve on allow, settle on the
 * outcome, release on cancel or expiry. Every change is appended to a journal before it is applied,
 * so a restart replays to the same spend and the same outstanding reservations; the journal is folded
 * into a snapshot (with the last sequence number it holds) at each open.
 */
export class BudgetLedger {
  private readonly tenants = new Map<string, TenantState>();
  private seq = 0;
  private readonly clock: () => number;
  private readonly journal?: string;

  constructor(opts: LedgerOptions = {}) {
    this.clock = opts.clock ?? Date.now;
    if (opts.dir) {
      mkdirSync(opts.dir, { recursive: true });
      this.journal = join(opts.dir, 'ledger.jsonl');
      this.recover(opts.dir);
    }
  }

  private recover(dir: string): void {
    const snapPath = join(dir, 'ledger.snapshot.json');
    if (existsSync(snapPath)) {
      const snap = JSON.parse(readFileSync(snapPath, 'utf8')) as Snapshot;
      this.seq = snap.seq;
      for (const t of snap.tenants) this.tenants.set(t.budget.tenant_id, { budget: t.budget, windowStart: t.windowStart, spent: t.spent, reservations: new Map(t.reservations.map((r) => [r.id, r])) });
    }
    if (existsSync(this.journal!)) {
      const lines = readFileSync(this.journal!, 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (!line.trim()) return;
        let e: Entry;
        try {
          e = JSON.parse(line) as Entry;
        } catch {
          // Only the last line can be torn (a crash mid-append); anything else is corruption.
          if (i >= lines.length - 2) return;
          throw new Error(`${this.journal}: line ${i + 1} is not JSON; the ledger will not guess`);
        }
        if (e.seq > this.seq) { this.apply(e); this.seq = e.seq; }
      });
    }
    const snap: Snapshot = { seq: this.seq, tenants: [...this.tenants.values()].map((t) => ({ budget: t.budget, windowStart: t.windowStart, spent: t.spent, reservations: [...t.reservations.values()] })) };
    writeFileSync(`${snapPath}.tmp`, JSON.stringify(snap));
    renameSync(`${snapPath}.tmp`, snapPath);
    writeFileSync(this.journal!, '');
  }

  private record(e: Change): void {
    const entry = { ...e, seq: this.seq + 1 } as Entry;
    if (this.journal) appendFileSync(this.journal, JSON.stringify(entry) + '\n');
    this.seq = entry.seq;
    this.apply(entry);
  }

  private apply(e: Entry): void {
    if (e.op === 'budget') {
      const t = this.tenants.get(e.budget.tenant_id);
      if (t) t.budget = e.budget;
      else this.tenants.set(e.budget.tenant_id, { budget: e.budget, windowStart: windowAt(ruleOf(e.budget), Date.parse(e.budget.created_at)).start, spent: 0, reservations: new Map() });
      return;
    }
    const t = this.tenants.get(e.op === 'reserve' ? e.reservation.tenant_id : e.tenant_id);
    if (!t) return;
    switch (e.op) {
      case 'reserve': t.reservations.set(e.reservation.id, e.reservation); break;
      case 'release': t.reservations.delete(e.id); break;
      case 'settle': t.reservations.delete(e.id); this.addSpend(t, e.micros, e.at); break;
      case 'spend': this.addSpend(t, e.micros, e.at); break;
    }
  }

  private roll(t: TenantState, at: number): void {
    const start = windowAt(ruleOf(t.budget), at).start;
    if (start > t.windowStart) { t.windowStart = start; t.spent = 0; }
  }

  private addSpend(t: TenantState, micros: number, at: number): void {
    this.roll(t, at);
    if (windowAt(ruleOf(t.budget), at).start >= t.windowStart) t.spent += micros;
  }

  private state(tenant: string): TenantState {
    const t = this.tenants.get(tenant);
    if (!t) throw new LedgerError('BUDGET_NOT_FOUND', `no budget for tenant '${tenant}'`, 'tenant_id');
    return t;
  }

  create(input: BudgetInput): Budget {
    if (this.tenants.has(input.tenant_id)) throw new LedgerError('BUDGET_EXISTS', `tenant '${input.tenant_id}' already has a budget; update it instead`, 'tenant_id');
    const now = new Date(this.clock()).toISOString();
    const budget: Budget = { window: 'total', reset_hour_utc: 0, reset_day: 1, alert_threshold: 0.8, ...input, created_at: now, updated_at: now };
    this.record({ op: 'budget', budget });
    return budget;
  }

  update(tenant: string, patch: Partial<Omit<BudgetInput, 'tenant_id'>>): Budget {
    const t = this.state(tenant);
    const budget: Budget = { ...t.budget, ...patch, tenant_id: tenant, updated_at: new Date(this.clock()).toISOString() };
    this.record({ op: 'budget', budget });
    return budget;
  }

  status(tenant: string): BudgetStatus {
    const t = this.state(tenant);
    const now = this.clock();
    this.expire(t, now);
    this.roll(t, now);
    const reserved = [...t.reservations.values()].reduce((a, r) => a + r.amount_micros, 0);
    const w = windowAt(ruleOf(t.budget), now);
    return {
      budget: t.budget, window_start: w.start, window_end: w.end, spent_micros: t.spent, reserved_micros: reserved,
      remaining_micros: t.budget.limit_micros - t.spent - reserved, reservations: t.reservations.size,
      alert: t.spent + reserved >= t.budget.alert_threshold * t.budget.limit_micros,
    };
  }

  /** Reserves `micros` if it fits what remains; undefined when it does not. */
  reserve(tenant: string, micros: number, opts: { ttlMs: number; runId?: string }): Reservation | undefined {
    checkAmount(micros);
    const s = this.status(tenant);
    if (micros > s.remaining_micros) return undefined;
    const now = this.clock();
    const reservation: Reservation = { id: `res_${randomUUID()}`, tenant_id: tenant, amount_micros: micros, created_at: now, expires_at: now + opts.ttlMs, run_id: opts.runId };
    this.record({ op: 'reserve', reservation });
    return reservation;
  }

  private reservation(tenant: string, id: string): Reservation {
    const t = this.state(tenant);
    this.expire(t, this.clock());
    const r = t.reservations.get(id);
    if (!r) throw new LedgerError('RESERVATION_NOT_FOUND', `tenant '${tenant}' has no open reservation '${id}' (settled, released, expired or never made)`, 'reservation_id');
    return r;
  }

  /** Replaces a reservation by the actual cost. */
  settle(tenant: string, id: string, micros: number): BudgetStatus {
    checkAmount(micros);
    this.reservation(tenant, id);
    this.record({ op: 'settle', tenant_id: tenant, id, micros, at: this.clock() });
    return this.status(tenant);
  }

  release(tenant: string, id: string): BudgetStatus {
    this.reservation(tenant, id);
    this.record({ op: 'release', tenant_id: tenant, id, at: this.clock(), reason: 'cancel' });
    return this.status(tenant);
  }

  /** Spend that did not go through a reservation (metered telemetry). */
  spend(tenant: string, micros: number, at = this.clock()): void {
    checkAmount(micros);
    this.state(tenant);
    this.record({ op: 'spend', tenant_id: tenant, micros, at });
  }

  private expire(t: TenantState, now: number): void {
    for (const r of t.reservations.values()) {
      if (r.expires_at <= now) this.record({ op: 'release', tenant_id: r.tenant_id, id: r.id, at: now, reason: 'expired' });
    }
  }

  has(tenant: string): boolean {
    return this.tenants.has(tenant);
  }

  tenantIds(): string[] {
    return [...this.tenants.keys()];
  }
}

function ruleOf(b: Budget) {
  return { window: b.window, resetHourUtc: b.reset_hour_utc, resetDay: b.reset_day };
}

function checkAmount(micros: number): void {
  if (!Number.isSafeInteger(micros) || micros < 0) throw new LedgerError('INVALID_AMOUNT', `amount must be a non-negative integer of micro-dollars, got ${micros}`, 'amount');
}
