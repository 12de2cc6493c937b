import { policyAllows } from '../lib/glob.js';

/** A scope's model policy as the server sends it: `*` matches any run of characters; a deny wins. */
export interface ModelPolicy {
  readonly allow?: readonly string[];
  readonly deny?: readonly string[];
}

/** The server's answer to a lease request, or `exhausted` when nothing of the budget remains to lease. */
export type LeaseGrant =
  | { readonly id: string; readonly amount: number; readonly limit: number; readonly policies?: readonly ModelPolicy[] }
  | 'exhausted';

/** The lease routes of a Lutflow server (POST /budgets/{tenant}/leases …), or a stand-in in tests. */
export interface LeaseApi {
  lease(amountMicros: number, ttlSeconds: number): Promise<LeaseGrant>;
  /** False when the lease is gone (expired on the server): its room is lost. */
  renew(id: string, ttlSeconds: number): Promise<boolean>;
  giveBack(id: string, spentMicros: number): Promise<void>;
}

interface Lease {
  readonly id: string;
  readonly amount: number;
  /** Charged under it so far (calls' running totals). */
  spent: number;
  /** What calls in flight may still cost beyond their charges. */
  held: number;
  inFlight: number;
  /** No new calls: a newer lease took over, or the server dropped it. */
  retired: boolean;
}

/** One admitted call's share of a lease. */
export interface LeaseHold {
  readonly leaseId: string;
  readonly worst: number;
}

export interface LeasePoolOptions {
  /** The slice asked for each time; 1 % of the budget's limit when absent, at least the call that needs it. */
  readonly sliceMicros?: number;
  readonly ttlSeconds: number;
  /** After the server said nothing remains, calls that do not fit are refused without asking again for this long. */
  readonly exhaustedBackoffMs: number;
  readonly warn: (message: string) => void;
}

/**
 * Budget leases for an SDK process in cloud mode: slices of the tenant's server-side budget, reserved on the
 * server, spent here at in-process cost. A call takes a hold on a lease with room for its worst case (no round
 * trip); when the room runs low the pool asks for the next slice ahead of need; a call larger than a slice asks
 * for a lease of its own size. Leases are renewed while the process lives and returned with what was spent under
 * them when retired or at close; a process that vanished stops renewing and its leases expire back to the
 * budget. However many processes lease, together they hold no more than the budget.
 */
export class LeasePool {
  private readonly leases = new Map<string, Lease>();
  private growing?: Promise<void>;
  private exhaustedUntil = 0;
  /** The largest worst case of the calls waiting for room: the next slice covers at least it. */
  private waiting = 0;
  private limit = 0;
  private policies: readonly ModelPolicy[] = [];
  private readonly renewer: NodeJS.Timeout;

  constructor(private readonly api: LeaseApi, private readonly opts: LeasePoolOptions) {
    this.renewer = setInterval(() => void this.renewAll(), (opts.ttlSeconds * 1000) / 3);
    this.renewer.unref();
  }

  /** Whether the scope's model policies (as of the last grant) let a call to `model`, priced as `pricedAs`, through. */
  allows(model: string, pricedAs: readonly string[]): boolean {
    return this.policies.every((p) => policyAllows(p, model, pricedAs));
  }

  /** Room left on all leases taking new calls. */
  get room(): number {
    let r = 0;
    for (const l of this.leases.values()) if (!l.retired) r += roomOf(l);
    return r;
  }

  private slice(worst: number): number {
    const slice = this.opts.sliceMicros ?? Math.ceil(this.limit * 0.01);
    return Math.max(worst, slice);
  }

  private find(worst: number): Lease | undefined {
    for (const l of this.leases.values()) if (!l.retired && roomOf(l) >= worst) return l;
    return undefined;
  }

  /**
   * A hold for a call of worst case `worst`, or undefined when the budget cannot cover it now. Without a round
   * trip while a lease has room; else it waits for the next slice. Slices stay small (each process holds little
   * more than it is about to spend), so processes share a budget fairly and little is left unused at the end.
   */
  async acquire(worst: number): Promise<LeaseHold | undefined> {
    for (;;) {
      const l = this.find(worst);
      if (l) {
        l.held += worst;
        l.inFlight++;
        if (this.room < this.slice(0) / 2) void this.grow();
        return { leaseId: l.id, worst };
      }
      // Leases too small for this call would sit on their leftovers: they go back once their calls end.
      for (const old of this.leases.values()) if (!old.retired && roomOf(old) < worst) this.retire(old);
      if (Date.now() < this.exhaustedUntil) return undefined;
      this.waiting = Math.max(this.waiting, worst);
      await this.grow();
    }
  }

  /** Asks for one more slice (one request at a time): the usual slice, or the largest waiting call. */
  private grow(): Promise<void> {
    this.growing ??= (async () => {
      const want = this.slice(this.waiting);
      this.waiting = 0;
      try {
        const g = await this.api.lease(want, this.opts.ttlSeconds);
        if (g === 'exhausted') {
          this.exhaustedUntil = Date.now() + this.opts.exhaustedBackoffMs;
          return;
        }
        this.limit = g.limit;
        this.policies = g.policies ?? [];
        // Less than asked: that was the last of the budget. Calls it cannot cover stop asking for a while (else a
        // call too big for the remainder would lease it, give it back, and lease it again, forever).
        if (g.amount < want) this.exhaustedUntil = Date.now() + this.opts.exhaustedBackoffMs;
        this.leases.set(g.id, { id: g.id, amount: g.amount, spent: 0, held: 0, inFlight: 0, retired: false });
      } catch (err) {
        this.opts.warn(`lutflow: could not lease budget from the server (${(err as Error).message}); calls that do not fit are refused`);
        this.exhaustedUntil = Date.now() + this.opts.exhaustedBackoffMs;
      }
    })().finally(() => { this.growing = undefined; });
    return this.growing;
  }

  /** A call's running charge so far (streams): its hold shrinks by as much. */
  charge(hold: LeaseHold, before: number, now: number): void {
    const l = this.leases.get(hold.leaseId);
    if (!l) return;
    l.spent += now - before;
    l.held += Math.max(0, hold.worst - now) - Math.max(0, hold.worst - before);
  }

  /** The call ended (charged `total` in all; 0 when it failed before the provider took it). */
  end(hold: LeaseHold, charged: number): void {
    const l = this.leases.get(hold.leaseId);
    if (!l) return;
    l.held -= Math.max(0, hold.worst - charged);
    l.inFlight--;
    if (l.retired && l.inFlight === 0) void this.giveBack(l);
  }

  private retire(l: Lease): void {
    l.retired = true;
    if (l.inFlight === 0) void this.giveBack(l);
  }

  private async giveBack(l: Lease): Promise<void> {
    this.leases.delete(l.id);
    await this.api.giveBack(l.id, l.spent).catch((err) => this.opts.warn(`lutflow: lease ${l.id} not returned (${(err as Error).message}); it expires on the server`));
  }

  private async renewAll(): Promise<void> {
    for (const l of [...this.leases.values()]) {
      const alive = await this.api.renew(l.id, this.opts.ttlSeconds).catch(() => true);
      if (!alive) l.retired = true;
    }
  }

  /** Returns every lease with what was spent under it (call after telemetry was flushed). */
  async close(): Promise<void> {
    clearInterval(this.renewer);
    await this.growing;
    await Promise.all([...this.leases.values()].map((l) => this.giveBack(l)));
  }
}

const roomOf = (l: Lease) => l.amount - l.spent - l.held;

/** The lease routes of a Lutflow server over HTTP. */
export function httpLeaseApi(endpoint: string, tenantId: string, apiKey?: string): LeaseApi {
  const base = `${endpoint.replace(/\/$/, '')}/budgets/${encodeURIComponent(tenantId)}/leases`;
  const call = async (path: string, body: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(10_000),
      headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
    });
    const json = (await res.json().catch(() => ({}))) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    return { status: res.status, json };
  };
  return {
    async lease(amountMicros, ttlSeconds) {
      const r = await call('', { amount_usd: amountMicros / 1e6, ttl_seconds: ttlSeconds });
      if (r.status === 409 && r.json.error?.code === 'BUDGET_EXHAUSTED') return 'exhausted';
      if (r.status !== 201) throw new Error(`lease: ${r.status} ${r.json.error?.code ?? ''} ${r.json.error?.message ?? ''}`.trim());
      return { id: r.json.lease_id, amount: r.json.amount_micros, limit: r.json.limit_micros, policies: r.json.model_policies };
    },
    async renew(id, ttlSeconds) {
      const r = await call(`/${encodeURIComponent(id)}/renew`, { ttl_seconds: ttlSeconds });
      if (r.status === 404) return false;
      if (r.status !== 200) throw new Error(`renew: ${r.status}`);
      return true;
    },
    async giveBack(id, spentMicros) {
      const r = await call(`/${encodeURIComponent(id)}/return`, { spent_usd: spentMicros / 1e6 });
      // 409: already settled (a retried return); 404: forgotten after the grace period. Neither can be helped.
      if (r.status >= 500) throw new Error(`return: ${r.status}`);
    },
  };
}
