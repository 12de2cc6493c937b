/** The client's own ledger, in integer micro-dollars: reservations held while calls run. */
export class LocalBudget {
  spent = 0;
  reserved = 0;
  private nextId = 1;
  private readonly open = new Map<number, number>();

  constructor(public limit: number) {}

  /** Reserves `micros` if it fits; synchronous, so concurrent calls cannot both take the last of it. */
  tryReserve(micros: number): number | undefined {
    if (this.spent + this.reserved + micros > this.limit) return undefined;
    return this.force(micros);
  }

  /** Reserves regardless of the limit (WARN_ONLY and allowed CALLBACK calls still hold what they may cost). */
  force(micros: number): number {
    const id = this.nextId++;
    this.open.set(id, micros);
    this.reserved += micros;
    return id;
  }

  /** Replaces a reservation by the actual cost; returns the spend after. */
  settle(id: number, micros: number): number {
    this.release(id);
    this.spent += micros;
    return this.spent;
  }

  release(id: number): void {
    const r = this.open.get(id);
    if (r === undefined) return;
    this.open.delete(id);
    this.reserved -= r;
  }

  /** Spend outside a reservation (GPU timer ticks). */
  add(micros: number): number {
    this.spent += micros;
    return this.spent;
  }

  get openReservations(): number {
    return this.open.size;
  }
}
