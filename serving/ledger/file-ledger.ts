import { randomUUID } from 'node:crypto';
import { FileAlerts } from './file-alerts.js';
import { Journal, type FsyncPolicy, type JournalFs } from './journal.js';
import { LedgerState, ruleOf, seenKey, type Change, type ChargeItem, type TenantState } from './state.js';
import {
  budgetDefaults, DEFAULT_POLICY, LedgerError,
  type Alert, type Budget, type BudgetInput, type BudgetPatch, type BudgetStatus, type ChargeInput, type ChargeResult,
  type DeliveryResult, type Ledger, type LedgerHealth, type LedgerPolicy, type RaiseInput, type Reservation, type ReserveOptions,
} from './types.js';
import { checkAmount, checkCharges, grantFor, ledgerErrors, reaches, scopeChain } from './rules.js';
import { windowAt } from './windows.js';

export interface FileLedgerOptions {
  /** Directory of the journal and snapshot; in memory only when absent. */
  readonly dir?: string;
  readonly clock?: () => number;
  readonly policy?: Partial<LedgerPolicy>;
  readonly fsync?: FsyncPolicy;
  readonly fs?: JournalFs;
  readonly compactBytes?: number;
  readonly log?: { warn(msg: string): void; error(msg: string): void };
}

/** A degraded journal is ready again when a record this large can be written. */
const PROBE_BYTES = 64 * 1024;

/**
 * The embedded ledger: state in memory, every change journaled before it is applied (see Journal), so a
 * restart replays to the same spend, reservations and remembered event ids. Checks and changes happen in
 * one synchronous step, so concurrent requests can never both take the last of a budget.
 */
export class FileLedger implements Ledger {
  private readonly state: LedgerState;
  private readonly journal?: Journal;
  private readonly clock: () => number;
  private readonly alertBook: FileAlerts;
  private readonly log?: FileLedgerOptions['log'];
  readonly policy: LedgerPolicy;

  constructor(opts: FileLedgerOptions = {}) {
    this.clock = opts.clock ?? Date.now;
    this.log = opts.log;
    this.policy = { ...DEFAULT_POLICY, ...opts.policy };
    this.state = new LedgerState(this.policy);
    this.alertBook = new FileAlerts(this.state, (c) => this.record(c), this.clock);
    if (opts.dir) {
      this.journal = new Journal({ dir: opts.dir, fs: opts.fs, fsync: opts.fsync, compactBytes: opts.compactBytes, log: opts.log });
      const { snapshot, entries } = this.journal.recover();
      if (snapshot) this.state.restore(snapshot);
      for (const e of entries) this.state.apply(e);
      this.journal.compact(this.state.snapshot(this.journal.lastSeq, this.clock()));
      // A crash between a charge and its alert: the thresholds are checked again at start.
      for (const t of this.state.tenants.values()) void this.raiseThresholds(t);
    }
  }

  /** Journals, then applies; resolves once durable. Throws (changing nothing) when the journal cannot write. */
  private async record(change: Change): Promise<void> {
    if (!this.journal) {
      this.state.apply(change);
      return;
    }
    this.state.apply(this.journal.append(change));
    await this.journal.durable();
    if (this.journal.needsCompaction) this.journal.compact(this.state.snapshot(this.journal.lastSeq, this.clock()));
  }

  /** After spend or the limit changed. A failure here must not fail the change: the next one (or a start) raises it. */
  private async raiseThresholds(t: TenantState): Promise<void> {
    await this.alertBook.thresholds(t).catch((err) => this.log?.warn(`alerts of '${t.budget.tenant_id}' not raised yet: ${(err as Error).message}`));
  }

  private tenant(id: string): TenantState {
    const failure = this.journal?.failure;
    if (failure) throw new LedgerError('LEDGER_UNAVAILABLE', `the ledger stopped: ${failure}`);
    this.state.tick(this.clock());
    const t = this.state.tenants.get(id);
    if (!t) throw ledgerErrors.budgetNotFound(id);
    return t;
  }

  /** The budgets a spend of `id` counts against: its own and each ancestor scope's that has one, own first. */
  private chain(id: string): TenantState[] {
    const failure = this.journal?.failure;
    if (failure) throw new LedgerError('LEDGER_UNAVAILABLE', `the ledger stopped: ${failure}`);
    this.state.tick(this.clock());
    const levels = scopeChain(id).flatMap((s) => this.state.tenants.get(s) ?? []);
    if (!levels.length) throw ledgerErrors.budgetNotFound(id);
    return levels;
  }

  /**
   * Reservation `id` as reached through the path of `tenant` (its own scope or an ancestor's, see `reaches`):
   * where it stands, the first budget of the path holding it (whose status the caller gets), and every budget
   * holding it (its own scope's chain as it was when it was made, which a close or renewal applies to).
   */
  private holding(tenant: string, id: string): { levels: TenantState[]; at: TenantState; found: NonNullable<ReturnType<LedgerState['find']>> } {
    const at = this.chain(tenant).find((t) => this.state.find(t, id));
    const found = at && this.state.find(at, id);
    const owner = found && ('open' in found ? found.open.tenant_id : found.closed.tenant_id ?? at.budget.tenant_id);
    if (!found || !reaches(tenant, owner!)) throw ledgerErrors.reservationNotFound(tenant, id);
    return { levels: this.chain(owner!).filter((t) => this.state.find(t, id)), at: at!, found };
  }

  private view(t: TenantState): BudgetStatus {
    const now = this.clock();
    const w = windowAt(ruleOf(t.budget), now);
    const spent = t.spend.inWindow(ruleOf(t.budget), now);
    const limit = t.budget.limit_micros;
    return {
      budget: t.budget, window_start: w.start, window_end: w.end, spent_micros: spent, reserved_micros: t.reserved,
      remaining_micros: limit - spent - t.reserved, reservations: t.open.size,
      alert: spent + t.reserved >= t.budget.alert_threshold * limit, recent_spend_micros: t.spend.since(now - 86_400_000),
    };
  }

  async create(input: BudgetInput): Promise<BudgetStatus> {
    checkAmount(input.limit_micros, 'limit_micros');
    if (this.state.tenants.has(input.tenant_id)) throw ledgerErrors.budgetExists(input.tenant_id);
    await this.record({ op: 'budget', budget: budgetDefaults(input, new Date(this.clock()).toISOString()) });
    return this.status(input.tenant_id);
  }

  async update(tenant: string, patch: BudgetPatch): Promise<BudgetStatus> {
    if (patch.limit_micros !== undefined) checkAmount(patch.limit_micros, 'limit_micros');
    const t = this.tenant(tenant);
    const budget: Budget = { ...t.budget, ...patch, tenant_id: tenant, updated_at: new Date(this.clock()).toISOString() };
    await this.record({ op: 'budget', budget });
    await this.raiseThresholds(t);
    return this.status(tenant);
  }

  async status(tenant: string): Promise<BudgetStatus> {
    return this.view(this.tenant(tenant));
  }

  async chainStatus(tenant: string): Promise<BudgetStatus[]> {
    return this.chain(tenant).map((t) => this.view(t));
  }

  async has(tenant: string): Promise<boolean> {
    return this.state.tenants.has(tenant);
  }

  async tenantIds(): Promise<string[]> {
    return [...this.state.tenants.keys()];
  }

  async reserve(tenant: string, micros: number, opts: ReserveOptions): Promise<Reservation | undefined> {
    checkAmount(micros, 'amount');
    const levels = this.chain(tenant);
    const amount = grantFor(micros, Math.min(...levels.map((l) => this.view(l).remaining_micros)), opts.partial);
    if (amount === undefined) return undefined;
    const now = this.clock();
    const reservation: Reservation = {
      id: `res_${randomUUID()}`, tenant_id: tenant, amount_micros: amount, created_at: now, expires_at: now + opts.ttlMs,
      ...(opts.runId === undefined ? {} : { run_id: opts.runId }),
    };
    await this.record({ op: 'reserve', reservation, chain: ids(levels) });
    return reservation;
  }

  async extend(tenant: string, id: string, ttlMs: number): Promise<Reservation> {
    const r = this.chain(tenant).map((t) => t.open.get(id)).find(Boolean);
    if (!r || !reaches(tenant, r.tenant_id)) throw ledgerErrors.notRenewable(tenant, id);
    const levels = this.chain(r.tenant_id).filter((t) => t.open.has(id));
    const expires = this.clock() + ttlMs;
    await this.record({ op: 'extend', tenant_id: r.tenant_id, id, expires_at: expires, chain: ids(levels) });
    return { ...r, expires_at: expires };
  }

  async settle(tenant: string, id: string, micros: number): Promise<BudgetStatus> {
    checkAmount(micros, 'cost');
    const { levels, at, found } = this.holding(tenant, id);
    if ('closed' in found && found.closed.state === 'settled') throw ledgerErrors.alreadySettled(id);
    const rest = Math.max(0, micros - (levels[0].drawn.get(id) ?? 0));
    await this.record({ op: 'settle', tenant_id: tenant, id, micros: rest, at: this.clock(), chain: ids(levels) });
    for (const t of levels) await this.raiseThresholds(t);
    return this.view(at);
  }

  async release(tenant: string, id: string): Promise<BudgetStatus> {
    const { levels, at, found } = this.holding(tenant, id);
    if ('closed' in found) {
      if (found.closed.state === 'settled') throw ledgerErrors.alreadySettled(id);
      return this.view(at);
    }
    await this.record({ op: 'release', tenant_id: tenant, id, at: this.clock(), chain: ids(levels) });
    return this.view(at);
  }

  async charge(tenant: string, items: readonly ChargeInput[]): Promise<ChargeResult> {
    const now = this.clock();
    checkCharges(items, now, this.policy);
    const levels = this.chain(tenant);
    const t = levels[0];
    // The scope's own budget window decides lateness for every level.
    const windowStart = windowAt(ruleOf(t.budget), now).start;
    const out: ChargeItem[] = [];
    const inBatch = new Set<string>();
    let late = 0, duplicates = 0, covered = 0;
    for (const it of items) {
      if (levels.some((l) => l.seen.has(seenKey(l.budget.tenant_id, tenant, it.id))) || inBatch.has(it.id)) { duplicates++; continue; }
      inBatch.add(it.id);
      const keep = it.at + this.policy.dedupeHorizonMs;
      const lease = this.leaseOf(tenant, levels, it.lease);
      if (lease && 'closed' in lease && lease.closed.state === 'settled') {
        covered++;
        out.push({ id: it.id, micros: it.micros, at: now, keep, lease: it.lease, covered: true });
        continue;
      }
      const at = Math.min(it.at, now);
      if (at < windowStart) late++;
      // Spent under a lease not settled yet (open, expired, released): drawn, so that its settle charges only the rest.
      const holders = lease ? levels.filter((l) => this.state.find(l, it.lease!)) : [];
      const drawn = holders.length ? { lease: it.lease, lease_levels: ids(holders) } : {};
      out.push({ id: it.id, micros: it.micros, at: at < windowStart ? now : at, keep, ...drawn });
    }
    if (out.length) {
      await this.record({ op: 'charge', tenant_id: tenant, items: out, chain: ids(levels) });
      for (const l of levels) await this.raiseThresholds(l);
    }
    return { charged: items.length - duplicates - late - covered, late, duplicates, covered };
  }

  /**
   * The lease a cost names, where it stands, if it is the reporting scope's own: a lease is spent by its holder,
   * which reports as its scope. A cost naming anyone else's is charged as if it named none.
   */
  private leaseOf(tenant: string, levels: readonly TenantState[], lease: string | undefined) {
    if (lease === undefined) return undefined;
    for (const l of levels) {
      const found = this.state.find(l, lease);
      if (!found) continue;
      const owner = 'open' in found ? found.open.tenant_id : found.closed.tenant_id ?? l.budget.tenant_id;
      return owner === tenant ? found : undefined;
    }
    return undefined;
  }

  async raise(input: RaiseInput): Promise<Alert | undefined> {
    return this.alertBook.raise(this.tenant(input.tenant_id), input);
  }

  async alerts(opts: { tenants?: readonly string[]; limit: number }): Promise<Alert[]> {
    return this.alertBook.list(opts);
  }

  async dueAlerts(max: number): Promise<Alert[]> {
    return this.alertBook.due(max);
  }

  async recordDelivery(id: string, result: DeliveryResult): Promise<void> {
    await this.alertBook.delivered(id, result);
  }

  async health(): Promise<LedgerHealth> {
    if (!this.journal) return { ready: true };
    if (this.journal.isDegraded) {
      // Probe: ready again once a record as large as a big telemetry batch's goes through.
      try { await this.record({ op: 'noop', pad: ' '.repeat(PROBE_BYTES) }); } catch { /* still degraded */ }
    }
    return this.journal.health();
  }

  async close(): Promise<void> {
    this.journal?.close();
  }
}

const ids = (levels: readonly TenantState[]) => levels.map((t) => t.budget.tenant_id);
