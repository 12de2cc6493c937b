import { randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  budgetDefaults, DEFAULT_POLICY, LedgerError,
  type Alert, type Budget, type BudgetInput, type BudgetPatch, type BudgetStatus, type ChargeInput, type ChargeResult,
  type DeliveryResult, type Ledger, type LedgerHealth, type LedgerPolicy, type RaiseInput, type Reservation, type ReserveOptions,
} from '../types.js';
import { ALERT_CLAIM_MS, checkAmount, checkCharges, ledgerErrors, nextDelivery, scopeChain } from '../rules.js';
import { migrate } from './migrations.js';

// int8 (bigint) columns as JS numbers: every amount is a safe integer (checkAmount), and so are their sums.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export interface PgLedgerOptions {
  /** `postgres://user:password@host:port/database` (LUTFLOW_LEDGER_URL). */
  readonly url: string;
  readonly clock?: () => number;
  readonly policy?: Partial<LedgerPolicy>;
  /** Connections held by this process (default 10). */
  readonly poolSize?: number;
  /** How long a statement may run before it is cancelled and answered 503 (default 5 s). */
  readonly statementTimeoutMs?: number;
  readonly log?: { warn(msg: string): void; error(msg: string): void };
}

type BudgetRow = {
  tenant_id: string; limit_micros: number; budget_window: Budget['window']; reset_hour_utc: number; reset_day: number;
  alert_threshold: number; alert_thresholds: number[]; alert_webhook: Budget['alert_webhook'] | null;
  price_overrides: Budget['price_overrides'] | null; model_policy: Budget['model_policy'] | null; created_at: Date; updated_at: Date;
};

type AlertRow = {
  id: string; tenant_id: string; kind: Alert['kind']; subject: string; window_start: Date | number; at: Date; spent_micros: number; limit_micros: number;
  message: string; state: Alert['delivery']['state']; attempts: number; next_at: Date; last_error: string | null; delivered_at: Date | null;
};

function alertOf(r: AlertRow): Alert {
  // A total window starts at '-infinity', which the driver hands back as a number, not a Date.
  const start = r.window_start instanceof Date ? r.window_start.getTime() : 0;
  return {
    id: r.id, tenant_id: r.tenant_id, kind: r.kind, subject: r.subject, window_start: start, at: r.at.getTime(),
    spent_micros: r.spent_micros, limit_micros: r.limit_micros, message: r.message,
    delivery: {
      state: r.state, attempts: r.attempts, next_at: r.next_at.getTime(), ...(r.last_error === null ? {} : { last_error: r.last_error }),
      ...(r.delivered_at === null ? {} : { delivered_at: r.delivered_at.getTime() }),
    },
  };
}

const STATUS_SQL = `
  SELECT b.*, extract(epoch FROM w.wstart) * 1000 AS wstart_ms, extract(epoch FROM w.wend) * 1000 AS wend_ms,
    lutflow_spent(b.tenant_id, w.wstart, w.wend) AS spent,
    lutflow_held_by(b.tenant_id, $2) AS reserved,
    lutflow_open_count(b.tenant_id, $2) AS open_count,
    lutflow_spent(b.tenant_id, date_trunc('hour', $2::timestamptz - interval '24 hours'), 'infinity') AS recent
  FROM lutflow_budgets b, lutflow_window(b.budget_window, b.reset_hour_utc, b.reset_day, $2) w
  WHERE b.tenant_id = ANY($1)`;

const ms = (d: number) => new Date(d);

type StatusRow = BudgetRow & { wstart_ms: string; wend_ms: string; spent: number; reserved: number; open_count: number; recent: number };

function statusOf(r: StatusRow): BudgetStatus {
  const budget: Budget = {
    tenant_id: r.tenant_id, limit_micros: r.limit_micros, window: r.budget_window, reset_hour_utc: r.reset_hour_utc, reset_day: r.reset_day,
    alert_threshold: r.alert_threshold, alert_thresholds: r.alert_thresholds, ...(r.alert_webhook ? { alert_webhook: r.alert_webhook } : {}),
    ...(r.price_overrides ? { price_overrides: r.price_overrides } : {}), ...(r.model_policy ? { model_policy: r.model_policy } : {}),
    created_at: r.created_at.toISOString(), updated_at: r.updated_at.toISOString(),
  };
  const total = budget.window === 'total';
  return {
    budget, window_start: total ? 0 : Number(r.wstart_ms), window_end: total ? Infinity : Number(r.wend_ms),
    spent_micros: r.spent, reserved_micros: r.reserved, remaining_micros: r.limit_micros - r.spent - r.reserved, reservations: r.open_count,
    alert: r.spent + r.reserved >= r.alert_threshold * r.limit_micros, recent_spend_micros: r.recent,
  };
}

interface PendingReserve {
  readonly micros: number;
  readonly opts: ReserveOptions;
  resolve(r: Reservation | undefined): void;
  reject(err: unknown): void;
}

/** Reservations granted in one call at most (a bigger queue goes in several). */
const MAX_RESERVE_BATCH = 500;

/**
 * The ledger on PostgreSQL, for serving replicas that must act as one ledger. The same invariants and
 * event-time policy as the file ledger (the same tests run against both); windows, resets, reservations,
 * settles and charges are computed in SQL (pg/migrations.ts), each change one atomic call. Money is
 * bigint micro-dollars. A database that cannot be reached answers LEDGER_UNAVAILABLE (503), never a guess.
 */
export class PgLedger implements Ledger {
  private readonly clock: () => number;
  readonly policy: LedgerPolicy;

  private readonly log?: PgLedgerOptions['log'];

  private constructor(private readonly pool: pg.Pool, opts: PgLedgerOptions) {
    this.log = opts.log;
    this.clock = opts.clock ?? Date.now;
    this.policy = { ...DEFAULT_POLICY, ...opts.policy };
  }

  /**
   * Connects and brings the schema up to date. A database that cannot be reached yet does not stop the
   * start: the ledger answers 503 and retries the migration with the next request.
   */
  static async open(opts: PgLedgerOptions): Promise<PgLedger> {
    const pool = new pg.Pool({
      connectionString: opts.url, max: opts.poolSize ?? 10, connectionTimeoutMillis: 10_000,
      statement_timeout: opts.statementTimeoutMs ?? 5000, idleTimeoutMillis: 30_000, application_name: 'lutflow-ledger',
    });
    // An idle connection dropped by a database restart must not take the process down; the next query reconnects.
    pool.on('error', (err) => opts.log?.warn(`ledger database connection lost: ${err.message}`));
    const ledger = new PgLedger(pool, opts);
    try {
      await ledger.ensureSchema();
    } catch (err) {
      if (!isConnectionError(err)) {
        await pool.end();
        throw err;
      }
      opts.log?.warn(`ledger database not reachable yet (${(err as Error).message}); answering 503 until it is`);
    }
    return ledger;
  }

  private schema?: Promise<void>;

  /** Runs the migrations once per process, again after a failed attempt. */
  private ensureSchema(): Promise<void> {
    this.schema ??= (async () => {
      const client = await this.pool.connect();
      try {
        await migrate(client);
        // A crash between a charge and its alert: the thresholds are checked again at start.
        await client.query('SELECT lutflow_raise_thresholds(tenant_id, $1) FROM lutflow_budgets', [this.now()]);
      } finally {
        client.release();
      }
    })().catch((err) => {
      this.schema = undefined;
      throw err;
    });
    return this.schema;
  }

  private async q<R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<R[]> {
    try {
      await this.ensureSchema();
      return (await this.pool.query<R>(sql, params)).rows;
    } catch (err) {
      // SQLSTATE class 22 (data exception, e.g. a NUL in text): retrying cannot help.
      if (/^22/.test(String((err as { code?: unknown }).code))) {
        throw new LedgerError('INVALID_INPUT', `the ledger cannot store this value (${(err as Error).message}); nothing was changed`, undefined, err);
      }
      throw new LedgerError('LEDGER_UNAVAILABLE', `the ledger database did not answer (${(err as Error).message}); nothing was changed, retry later`, undefined, err);
    }
  }

  private now(): Date {
    return ms(this.clock());
  }

  async create(input: BudgetInput): Promise<BudgetStatus> {
    checkAmount(input.limit_micros, 'limit_micros');
    const b = budgetDefaults(input, '');
    const rows = await this.q(`INSERT INTO lutflow_budgets (tenant_id, limit_micros, budget_window, reset_hour_utc, reset_day, alert_threshold,
        alert_thresholds, alert_webhook, price_overrides, model_policy, created_at, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $11, $10, $10)
      ON CONFLICT (tenant_id) DO NOTHING RETURNING tenant_id`,
    [b.tenant_id, b.limit_micros, b.window, b.reset_hour_utc, b.reset_day, b.alert_threshold, b.alert_thresholds, b.alert_webhook ?? null,
      b.price_overrides ?? null, this.now(), b.model_policy ?? null]);
    if (!rows.length) throw ledgerErrors.budgetExists(input.tenant_id);
    return this.status(input.tenant_id);
  }

  async update(tenant: string, patch: BudgetPatch): Promise<BudgetStatus> {
    if (patch.limit_micros !== undefined) checkAmount(patch.limit_micros, 'limit_micros');
    const rows = await this.q(`UPDATE lutflow_budgets SET limit_micros = coalesce($2, limit_micros), budget_window = coalesce($3, budget_window),
        reset_hour_utc = coalesce($4, reset_hour_utc), reset_day = coalesce($5, reset_day), alert_threshold = coalesce($6, alert_threshold),
        price_overrides = coalesce($7, price_overrides), alert_thresholds = coalesce($9, alert_thresholds), alert_webhook = coalesce($10, alert_webhook),
        model_policy = coalesce($11, model_policy), updated_at = $8
      WHERE tenant_id = $1 RETURNING tenant_id`,
    [tenant, patch.limit_micros ?? null, patch.window ?? null, patch.reset_hour_utc ?? null, patch.reset_day ?? null, patch.alert_threshold ?? null,
      patch.price_overrides ?? null, this.now(), patch.alert_thresholds ?? null, patch.alert_webhook ?? null, patch.model_policy ?? null]);
    if (!rows.length) throw ledgerErrors.budgetNotFound(tenant);
    await this.raiseThresholds(tenant);
    return this.status(tenant);
  }

  async status(tenant: string): Promise<BudgetStatus> {
    const [s] = await this.statuses([tenant]);
    if (!s) throw ledgerErrors.budgetNotFound(tenant);
    return s;
  }

  /** The status of each of `tenants` that has a budget, in their order, in one query. */
  private async statuses(tenants: readonly string[]): Promise<BudgetStatus[]> {
    const rows = await this.q<StatusRow>(STATUS_SQL, [tenants, this.now()]);
    const byId = new Map(rows.map((r) => [r.tenant_id, statusOf(r)]));
    return tenants.flatMap((t) => byId.get(t) ?? []);
  }

  /** The budgets among `tenant` and its ancestor scopes, own first. */
  private async levels(tenant: string): Promise<string[]> {
    const chain = scopeChain(tenant);
    const have = new Set((await this.q<{ tenant_id: string }>('SELECT tenant_id FROM lutflow_budgets WHERE tenant_id = ANY($1)', [chain])).map((r) => r.tenant_id));
    return chain.filter((s) => have.has(s));
  }

  /** Every level's status in one round trip (a pre-flight's first step). */
  async chainStatus(tenant: string): Promise<BudgetStatus[]> {
    const levels = await this.statuses(scopeChain(tenant));
    if (!levels.length) throw ledgerErrors.budgetNotFound(tenant);
    return levels;
  }

  async has(tenant: string): Promise<boolean> {
    return (await this.q('SELECT 1 FROM lutflow_budgets WHERE tenant_id = $1', [tenant])).length > 0;
  }

  async tenantIds(): Promise<string[]> {
    return (await this.q<{ tenant_id: string }>('SELECT tenant_id FROM lutflow_budgets ORDER BY tenant_id', [])).map((r) => r.tenant_id);
  }

  /**
   * Reservations of one scope made while another batch of it is at the database wait, and go next, together: one
   * lock of the chain and one commit for all of them (lutflow_reserve_many grants them in order, as if one by one).
   * A scope's reservations are serialised by its row lock anyway; batching them is what lets a hot tenant scale.
   */
  private readonly reserving = new Map<string, PendingReserve[]>();

  async reserve(tenant: string, micros: number, opts: ReserveOptions): Promise<Reservation | undefined> {
    checkAmount(micros, 'amount');
    return new Promise((resolve, reject) => {
      const pending: PendingReserve = { micros, opts, resolve, reject };
      const queue = this.reserving.get(tenant);
      if (queue) {
        queue.push(pending);
        return;
      }
      this.reserving.set(tenant, []);
      void this.reserveBatches(tenant, [pending]);
    });
  }

  /** Sends what waits for `tenant`, batch after batch, until nothing does. */
  private async reserveBatches(tenant: string, first: PendingReserve[]): Promise<void> {
    for (let batch = first; batch.length; batch = this.takeQueued(tenant)) {
      for (let i = 0; i < batch.length; i += MAX_RESERVE_BATCH) await this.reserveMany(tenant, batch.slice(i, i + MAX_RESERVE_BATCH));
    }
  }

  private takeQueued(tenant: string): PendingReserve[] {
    const queued = this.reserving.get(tenant) ?? [];
    if (queued.length) this.reserving.set(tenant, []);
    else this.reserving.delete(tenant);
    return queued;
  }

  private async reserveMany(tenant: string, part: PendingReserve[]): Promise<void> {
    try {
      const now = this.clock();
      const ids = part.map(() => `res_${randomUUID()}`);
      const [r] = await this.q<{ codes: string[]; granted: (string | null)[] }>('SELECT * FROM lutflow_reserve_many($1, $2, $3, $4, $5, $6, $7, $8)', [
        ids, tenant, scopeChain(tenant), part.map((p) => p.micros), ms(now), part.map((p) => ms(now + p.opts.ttlMs)),
        part.map((p) => p.opts.runId ?? null), part.map((p) => p.opts.partial ?? false)]);
      part.forEach((p, k) => {
        if (r.codes[k] === 'BUDGET_NOT_FOUND') return p.reject(ledgerErrors.budgetNotFound(tenant));
        if (r.codes[k] !== 'OK') return p.resolve(undefined);
        p.resolve({
          id: ids[k], tenant_id: tenant, amount_micros: Number(r.granted[k]), created_at: now, expires_at: now + p.opts.ttlMs,
          ...(p.opts.runId === undefined ? {} : { run_id: p.opts.runId }),
        });
      });
    } catch (err) {
      for (const p of part) p.reject(err);
    }
  }

  async extend(tenant: string, id: string, ttlMs: number): Promise<Reservation> {
    const now = this.clock();
    const [r] = await this.q<{ id: string; tenant_id: string; amount_micros: number; created_at: Date; expires_at: Date; run_id: string | null }>(
      'SELECT * FROM lutflow_extend($1, $2, $3, $4)', [scopeChain(tenant), id, ms(now), ms(now + ttlMs)]);
    if (!r) {
      // Only on a miss, to name the cause as the file store does: no budget on the path comes first.
      if (!(await this.levels(tenant)).length) throw ledgerErrors.budgetNotFound(tenant);
      throw ledgerErrors.notRenewable(tenant, id);
    }
    return {
      id, tenant_id: r.tenant_id, amount_micros: r.amount_micros, created_at: r.created_at.getTime(), expires_at: r.expires_at.getTime(),
      ...(r.run_id === null ? {} : { run_id: r.run_id }),
    };
  }

  private async closeReservation(tenant: string, id: string, settle: boolean, micros: number): Promise<BudgetStatus> {
    const [r] = await this.q<{ code: string; level: string | null; holders: string[] | null }>('SELECT * FROM lutflow_close($1, $2, $3, $4, $5, $6::interval)',
      [scopeChain(tenant), id, settle, micros, this.now(), `${this.policy.settleGraceMs} milliseconds`]);
    switch (r.code) {
      case 'BUDGET_NOT_FOUND': throw ledgerErrors.budgetNotFound(tenant);
      case 'RESERVATION_NOT_FOUND': throw ledgerErrors.reservationNotFound(tenant, id);
      case 'RESERVATION_SETTLED': throw ledgerErrors.alreadySettled(id);
    }
    if (settle) for (const level of r.holders!) await this.raiseThresholds(level);
    return this.status(r.level!);
  }

  async settle(tenant: string, id: string, micros: number): Promise<BudgetStatus> {
    checkAmount(micros, 'cost');
    return this.closeReservation(tenant, id, true, micros);
  }

  async release(tenant: string, id: string): Promise<BudgetStatus> {
    return this.closeReservation(tenant, id, false, 0);
  }

  async charge(tenant: string, items: readonly ChargeInput[]): Promise<ChargeResult> {
    const now = this.clock();
    checkCharges(items, now, this.policy);
    const [r] = await this.q<{ charged: number | null; late: number; duplicates: number; covered: number }>(
      'SELECT * FROM lutflow_charge($1, $2, $3, $4, $5, $6, $7::interval, $8::interval)',
      [scopeChain(tenant), items.map((i) => i.id), items.map((i) => i.micros), items.map((i) => ms(i.at)), items.map((i) => i.lease ?? null), ms(now),
        `${this.policy.dedupeHorizonMs} milliseconds`, `${this.policy.settleGraceMs} milliseconds`]);
    if (r.charged === null) throw ledgerErrors.budgetNotFound(tenant);
    if (r.charged + r.late > 0) for (const level of await this.levels(tenant)) await this.raiseThresholds(level);
    return { charged: r.charged, late: r.late, duplicates: r.duplicates, covered: r.covered };
  }

  /** After spend or the limit changed. A failure here must not fail the change: the next one (or a start) raises it. */
  private async raiseThresholds(tenant: string): Promise<void> {
    await this.q('SELECT id FROM lutflow_raise_thresholds($1, $2)', [tenant, this.now()])
      .catch((err) => this.log?.warn(`alerts of '${tenant}' not raised yet: ${(err as Error).message}`));
  }

  async raise(input: RaiseInput): Promise<Alert | undefined> {
    const s = await this.status(input.tenant_id);
    const rows = await this.q<AlertRow>(`INSERT INTO lutflow_alerts (id, tenant_id, kind, subject, window_start, at, spent_micros, limit_micros, message, next_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $6) ON CONFLICT (tenant_id, kind, subject, window_start) DO NOTHING RETURNING *`,
    [`alert_${randomUUID()}`, input.tenant_id, input.kind, input.subject, s.budget.window === 'total' ? '-infinity' : ms(s.window_start), this.now(),
      s.spent_micros, s.budget.limit_micros, input.message]);
    return rows[0] && alertOf(rows[0]);
  }

  async alerts(opts: { tenants?: readonly string[]; limit: number }): Promise<Alert[]> {
    const rows = await this.q<AlertRow>(`SELECT * FROM lutflow_alerts a WHERE $1::text[] IS NULL OR tenant_id = ANY($1)
        OR EXISTS (SELECT 1 FROM unnest($1::text[]) AS t WHERE starts_with(a.tenant_id, t || '/')) ORDER BY at DESC, id LIMIT $2`,
      [opts.tenants ?? null, opts.limit]);
    return rows.map(alertOf);
  }

  async dueAlerts(max: number): Promise<Alert[]> {
    const now = this.now();
    const rows = await this.q<AlertRow>(`UPDATE lutflow_alerts SET claimed_until = $1::timestamptz + $3::interval WHERE id IN (
        SELECT id FROM lutflow_alerts WHERE state = 'pending' AND next_at <= $1 AND (claimed_until IS NULL OR claimed_until <= $1)
        ORDER BY next_at LIMIT $2 FOR UPDATE SKIP LOCKED)
      RETURNING *`, [now, max, `${ALERT_CLAIM_MS} milliseconds`]);
    return rows.map(alertOf);
  }

  async recordDelivery(id: string, result: DeliveryResult): Promise<void> {
    const [row] = await this.q<AlertRow>('SELECT * FROM lutflow_alerts WHERE id = $1', [id]);
    if (!row) return;
    const d = nextDelivery(alertOf(row).delivery, result, this.clock());
    await this.q(`UPDATE lutflow_alerts SET state = $2, attempts = $3, next_at = $4, last_error = $5, delivered_at = $6, claimed_until = NULL
      WHERE id = $1`, [id, d.state, d.attempts, ms(d.next_at), d.last_error ?? null, d.delivered_at === undefined ? null : ms(d.delivered_at)]);
  }

  async health(): Promise<LedgerHealth> {
    try {
      await this.q('SELECT 1', []);
      return { ready: true };
    } catch (err) {
      return { ready: false, reason: (err as Error).message };
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** A failure to reach the database (retry later), as opposed to an error in what was asked of it. */
function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code.startsWith('08') || code.startsWith('57P');
  if (typeof code === 'string') return NETWORK_CODES.has(code);
  return /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED/.test((err as Error).message ?? '');
}
