import type { BudgetWindow } from './windows.js';

/** Prices an admin sets for one tenant; budget decisions use them before the catalog's. */
export interface PriceOverrides {
  /** $/GPU-hour by catalog GPU id. */
  readonly gpu_usd_per_hour?: Readonly<Record<string, number>>;
  /** $/million tokens by model id. */
  readonly token_usd_per_mtok?: Readonly<Record<string, { readonly input: number; readonly output: number }>>;
}

export interface Budget {
  readonly tenant_id: string;
  readonly limit_micros: number;
  readonly window: BudgetWindow;
  readonly reset_hour_utc: number;
  readonly reset_day: number;
  /** Share of the limit (0-1) at which the budget raises a soft alert. */
  readonly alert_threshold: number;
  /** Shares of the limit whose crossing by the spend raises an alert, once per window each. */
  readonly alert_thresholds: readonly number[];
  /** Where this tenant's alerts go (else the server's default webhook, if any). */
  readonly alert_webhook?: AlertWebhook;
  readonly price_overrides?: PriceOverrides;
  /** Which models this scope may use; its ancestors' policies apply too. */
  readonly model_policy?: ModelPolicy;
  readonly created_at: string;
  readonly updated_at: string;
}

export type BudgetInput = Pick<Budget, 'tenant_id' | 'limit_micros'>
  & Partial<Pick<Budget, 'window' | 'reset_hour_utc' | 'reset_day' | 'alert_threshold' | 'alert_thresholds' | 'alert_webhook' | 'price_overrides'
    | 'model_policy'>>;

/** Model names, `*` matching any run of characters (`gpt-4o*`, `anthropic/*`), compared without case. */
export interface ModelPolicy {
  /** Only these; any model when absent. */
  readonly allow?: readonly string[];
  /** Never these, even when allowed. */
  readonly deny?: readonly string[];
}

export const DEFAULT_ALERT_THRESHOLDS: readonly number[] = [0.5, 0.8, 0.95, 1];

/** A budget as created when the input leaves a field out. */
export function budgetDefaults(input: BudgetInput, now: string): Budget {
  return {
    window: 'total', reset_hour_utc: 0, reset_day: 1, alert_threshold: 0.8, alert_thresholds: DEFAULT_ALERT_THRESHOLDS, ...input,
    created_at: now, updated_at: now,
  };
}

export interface AlertWebhook {
  readonly url: string;
  /** Signs each delivery (HMAC-SHA256, `x-lutflow-signature`). */
  readonly secret?: string;
  /** `json` (default) or `slack` (an incoming-webhook `text` message). */
  readonly format?: 'json' | 'slack';
}

/** threshold: spend crossed a share of the limit; deny: a run or lease was refused; kill: a deployment was stopped. */
export type AlertKind = 'threshold' | 'deny' | 'kill';

export interface AlertDelivery {
  readonly state: 'pending' | 'delivered' | 'failed' | 'unconfigured';
  readonly attempts: number;
  /** When the next attempt is due (ms). */
  readonly next_at: number;
  readonly last_error?: string;
  readonly delivered_at?: number;
}

/** One alert, raised at most once per (tenant, kind, subject, budget window). */
export interface Alert {
  readonly id: string;
  readonly tenant_id: string;
  readonly kind: AlertKind;
  /** threshold: the share crossed (`0.8`); deny: `deny`; kill: what was stopped. */
  readonly subject: string;
  readonly window_start: number;
  readonly at: number;
  readonly spent_micros: number;
  readonly limit_micros: number;
  readonly message: string;
  readonly delivery: AlertDelivery;
}

export interface RaiseInput {
  readonly tenant_id: string;
  readonly kind: Exclude<AlertKind, 'threshold'>;
  readonly subject: string;
  readonly message: string;
}

export type DeliveryResult = { readonly delivered: true } | { readonly delivered: false; readonly error: string; readonly retryAt?: number; readonly unconfigured?: boolean };
export type BudgetPatch = Partial<Omit<BudgetInput, 'tenant_id'>>;

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
  /** Spend of the last 24 hours, whatever the window: the rate a forecast extrapolates. */
  readonly recent_spend_micros: number;
}

/** One metered cost reported for a tenant (a telemetry event): charged once per (tenant, id). */
export interface ChargeInput {
  readonly id: string;
  readonly micros: number;
  /** When the cost was incurred (the event time), ms. */
  readonly at: number;
  /**
   * The reservation (an SDK lease, or a pre-flight's) this cost was spent under: while it is open the charge
   * draws it down instead of adding to what the tenant holds; once it was returned (settled) its settle
   * counted the cost already.
   */
  readonly lease?: string;
}

export interface ChargeResult {
  /** Charged now, in the event's own window. */
  readonly charged: number;
  /** Charged now, in the window they arrived in: their own window had closed. */
  readonly late: number;
  /** Already charged earlier (same tenant, same id). */
  readonly duplicates: number;
  /** Spent under a lease that was returned with them counted: recorded, not charged again. */
  readonly covered: number;
}

/**
 * The rules that decide where a cost lands, written down once (README, "Budgets: the event-time policy").
 * - An event dated more than `maxFutureSkewMs` ahead of the server clock is refused (EVENT_TIME).
 * - An event older than `dedupeHorizonMs` is refused: its id may have been forgotten, so it cannot be told
 *   from a duplicate.
 * - An event inside its tenant's current budget window is charged at its event time (never later than now);
 *   one from an earlier window is charged at its arrival, to the window it arrives in.
 * - An expired reservation still settles by its id, once, for `settleGraceMs` after it expired.
 */
export interface LedgerPolicy {
  readonly maxFutureSkewMs: number;
  readonly dedupeHorizonMs: number;
  readonly settleGraceMs: number;
}

export const DEFAULT_POLICY: LedgerPolicy = {
  maxFutureSkewMs: 5 * 60_000,
  dedupeHorizonMs: 48 * 3_600_000,
  settleGraceMs: 7 * 86_400_000,
};

export type LedgerErrorCode =
  | 'BUDGET_NOT_FOUND'
  | 'BUDGET_EXISTS'
  | 'RESERVATION_NOT_FOUND'
  | 'RESERVATION_SETTLED'
  | 'INVALID_AMOUNT'
  /** A value the store cannot hold (PostgreSQL refuses it as data): the request is at fault, not the store. */
  | 'INVALID_INPUT'
  | 'EVENT_TIME'
  | 'LEDGER_UNAVAILABLE';

export class LedgerError extends Error {
  constructor(readonly code: LedgerErrorCode, message: string, readonly field?: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'LedgerError';
  }

  /** A store that cannot write (full disk, lost database): the caller may retry later; nothing was changed. */
  get retriable(): boolean {
    return this.code === 'LEDGER_UNAVAILABLE';
  }
}

export interface ReserveOptions {
  readonly ttlMs: number;
  readonly runId?: string;
  readonly partial?: boolean;
}

export interface LedgerHealth {
  readonly ready: boolean;
  readonly reason?: string;
}

/**
 * A tenant budget ledger in integer micro-dollars. Every method that changes money resolves only once the
 * change is durable; on a store failure it rejects with LEDGER_UNAVAILABLE and changes nothing.
 * Invariants (checked by test/serving/ledger.property.test.ts against a model, across restarts):
 * - spent = the sum of charges whose charge time lies in the current window of the budget's current rule;
 * - each (tenant, event id) is charged at most once, and exactly once when its charge was acknowledged;
 * - reserved = the sum of open reservations not yet expired; remaining = limit - spent - reserved.
 */
export interface Ledger {
  create(input: BudgetInput): Promise<BudgetStatus>;
  update(tenant: string, patch: BudgetPatch): Promise<BudgetStatus>;
  status(tenant: string): Promise<BudgetStatus>;
  /**
   * The budgets a spend of `tenant` counts against, its own first: it and every ancestor scope with a budget
   * (`acme/search/alice` → `acme/search/alice`, `acme/search`, `acme`). A reservation must fit all of them.
   */
  chainStatus(tenant: string): Promise<BudgetStatus[]>;
  has(tenant: string): Promise<boolean>;
  tenantIds(): Promise<string[]>;
  /**
   * Reserves `micros` if it fits what remains; undefined when it does not. `partial` (a lease) grants what
   * remains when that is less, if anything does.
   */
  reserve(tenant: string, micros: number, opts: ReserveOptions): Promise<Reservation | undefined>;
  /** Renews an open, unexpired reservation (a lease whose holder is alive) to expire `ttlMs` from now. */
  extend(tenant: string, id: string, ttlMs: number): Promise<Reservation>;

  /**
   * Replaces a reservation (open, expired or released within the grace period) by the actual cost, once: what
   * charges under it have not drawn yet is charged now, the rest goes back to the budget, and later charges
   * under it count as covered. Returning a lease is settling it with what its holder spent.
   */
  settle(tenant: string, id: string, micros: number): Promise<BudgetStatus>;
  release(tenant: string, id: string): Promise<BudgetStatus>;
  /** Metered costs (telemetry), each charged once per (tenant, id), all or none durable together. */
  charge(tenant: string, items: readonly ChargeInput[]): Promise<ChargeResult>;
  /**
   * Raises a deny or kill alert, once per (tenant, kind, subject, window); undefined when it was raised already.
   * Threshold alerts are raised by the ledger itself whenever spend or the limit changes.
   */
  raise(input: RaiseInput): Promise<Alert | undefined>;
  /** Alerts, newest first: of `tenants` and their scopes (`acme` takes `acme/search`'s), or every one. */
  alerts(opts: { tenants?: readonly string[]; limit: number }): Promise<Alert[]>;
  /** Alerts whose delivery is due, claimed for a while so that another replica does not send them too. */
  dueAlerts(max: number): Promise<Alert[]>;
  recordDelivery(id: string, result: DeliveryResult): Promise<void>;
  health(): Promise<LedgerHealth>;
  close(): Promise<void>;
}
