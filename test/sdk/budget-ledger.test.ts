import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalBudget } from '../../sdk/budget.js';

/**
 * The local ledger's invariants (sdk/budget.ts), checked against a tiny model after every step of
 * random command sequences: reserve, charge as a stream produces, close at TTL, settle, release, add.
 */
type Cmd =
  | { op: 'reserve'; micros: number }
  | { op: 'charge' | 'settle'; pick: number; frac: number }
  | { op: 'close' | 'release'; pick: number }
  | { op: 'add'; micros: number };

const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({ op: fc.constant('reserve' as const), micros: fc.integer({ min: 0, max: 50_000 }) }),
  fc.record({ op: fc.constantFrom('charge' as const, 'settle' as const), pick: fc.nat(), frac: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ op: fc.constantFrom('close' as const, 'release' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('add' as const), micros: fc.integer({ min: 0, max: 5_000 }) }),
);

interface ModelCall { worst: number; charged: number; open: boolean }

function run(limit: number, cmds: Cmd[], opts: { withAdds: boolean }): void {
  const b = new LocalBudget(limit);
  const model = new Map<number, ModelCall>();
  let added = 0;
  let settledCharges = 0;
  for (const c of cmds) {
    const ids = [...model.keys()];
    const id = ids.length ? ids[('pick' in c ? c.pick : 0) % ids.length] : undefined;
    if (c.op === 'reserve') {
      const r = b.tryReserve(c.micros);
      if (r !== undefined) model.set(r, { worst: c.micros, charged: 0, open: true });
    } else if (c.op === 'add') {
      if (!opts.withAdds) continue;
      b.add(c.micros);
      added += c.micros;
    } else if (id !== undefined) {
      const m = model.get(id)!;
      if (c.op === 'charge' || c.op === 'settle') {
        // A charge is a running total: never above the worst case (the bound), sometimes going down (a refund).
        const micros = Math.floor(c.frac * m.worst);
        if (c.op === 'charge') {
          b.charge(id, micros);
          m.charged = micros;
        } else {
          b.settle(id, micros);
          settledCharges += micros;
          model.delete(id);
        }
      } else if (c.op === 'close') {
        b.close(id);
        m.open = false;
      } else {
        b.release(id);
        settledCharges += m.charged;
        model.delete(id);
      }
    }
    const calls = [...model.values()];
    expect(b.reserved).toBe(calls.filter((m) => m.open).reduce((n, m) => n + Math.max(0, m.worst - m.charged), 0));
    expect(b.spent).toBe(added + settledCharges + calls.reduce((n, m) => n + m.charged, 0));
    expect(b.openReservations).toBe(calls.filter((m) => m.open).length);
    if (!opts.withAdds) expect(b.spent + b.reserved).toBeLessThanOrEqual(limit);
  }
}

describe('LocalBudget invariants', () => {
  it('reserved and spent always equal the model; admitted calls charged within their bound never pass the limit', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 200_000 }), fc.array(cmd, { maxLength: 200 }), (limit, cmds) => run(limit, cmds, { withAdds: false })), { numRuns: 300 });
  });

  it('spend outside reservations (GPU timers) is counted exactly', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 200_000 }), fc.array(cmd, { maxLength: 200 }), (limit, cmds) => run(limit, cmds, { withAdds: true })), { numRuns: 300 });
  });

  it('concurrent reservations cannot both take the last of the budget', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.array(fc.integer({ min: 1, max: 100_000 }), { minLength: 1, maxLength: 500 }), (limit, asks) => {
      const b = new LocalBudget(limit);
      const taken = asks.filter((m) => b.tryReserve(m) !== undefined);
      expect(taken.reduce((n, m) => n + m, 0)).toBe(b.reserved);
      expect(b.reserved).toBeLessThanOrEqual(limit);
    }));
  });
});
