/**
 * The client's own ledger, in integer micro-dollars. Each call holds a reservation of its worst case;
 * what it is charged (progressively, as a stream produces, then exactly at the end) moves from the
 * reservation into spend, so `spent + reserved` never counts the same micro-dollar twice.
 *
 * Invariants (test/sdk/budget-ledger.test.ts checks them with fast-check):
 * - `reserved` is the sum over open reservations of `max(0, worst − charged)`;
 * - `spent` is the sum of every call's charge plus the spend added outside calls (GPU timers);
 * - a call admitted by `tryReserve` and charged at most its worst case keeps `spent + reserved ≤ limit`.
 */
interface CallRecord {
  readonly worst: number;
  charged: number;
  /** False once the reservation was closed (settled, released or expired); charges still count. */
  open: boolean;
}

export class LocalBudget {
  spent = 0;
  reserved = 0;
  private nextId = 1;
  private readonly calls = new Map<number, CallRecord>();

  constructor(public limit: number) {}

  /** Reserves `micros` if it fits; synchronous, so concurrent calls cannot both take the last of it. */
  tryReserve(micros: number): number | undefined {
    if (this.spent + this.reserved + micros > this.limit) return undefined;
    return this.force(micros);
  }

  /** Reserves regardless of the limit (WARN_ONLY and allowed CALLBACK calls still hold what they may cost). */
  force(micros: number): number {
    const id = this.nextId++;
    this.calls.set(id, { worst: micros, charged: 0, open: true });
    this.reserved += micros;
    return id;
  }

  /** Sets what call `id` has cost so far (a running total); the reservation shrinks by as much. Returns the spend after. */
  charge(id: number, micros: number): number {
    const c = this.calls.get(id);
    if (!c) return this.spent;
    if (c.open) this.reserved += held(c.worst, micros) - held(c.worst, c.charged);
    this.spent += micros - c.charged;
    c.charged = micros;
    return this.spent;
  }

  /** Frees what is left of the reservation; later charges of the call still count (a call that outlived its TTL). */
  close(id: number): void {
    const c = this.calls.get(id);
    if (!c || !c.open) return;
    c.open = false;
    this.reserved -= held(c.worst, c.charged);
  }

  /** The call's final cost: charged, reservation freed, record dropped. */
  settle(id: number, micros: number): number {
    this.charge(id, micros);
    this.close(id);
    this.calls.delete(id);
    return this.spent;
  }

  /** The call failed before the provider accepted it: nothing more is charged. */
  release(id: number): void {
    this.close(id);
    this.calls.delete(id);
  }

  /** Spend outside a reservation (GPU timer ticks). */
  add(micros: number): number {
    this.spent += micros;
    return this.spent;
  }

  get openReservations(): number {
    let n = 0;
    for (const c of this.calls.values()) if (c.open) n++;
    return n;
  }
}

function held(worst: number, charged: number): number {
  return Math.max(0, worst - charged);
}
