import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gpuTimeCostMicros } from '../../pricing/index.js';
import { GpuMeter } from '../../serving/deployments/meter.js';

describe('GPU-time metering (property)', () => {
  it('charges ticks that are never negative and always add up to the cost of the whole elapsed time, exactly', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 10_000_000_000 }), fc.integer({ min: 0, max: 2e12 }),
      fc.array(fc.integer({ min: -5_000, max: 3_600_000 }), { minLength: 1, maxLength: 60 }),
      (count, microsPerGpuHour, start, steps) => {
        const m = new GpuMeter(start, count, microsPerGpuHour);
        let t = start;
        let sum = 0;
        let latest = start;
        for (const step of steps) {
          t += step; // clocks may step back: a tick then adds nothing
          const tick = m.tick(t);
          expect(tick.micros).toBeGreaterThanOrEqual(0);
          expect(tick.seconds).toBeGreaterThanOrEqual(0);
          sum += tick.micros;
          latest = Math.max(latest, t);
        }
        expect(sum).toBe(m.charged);
        expect(m.charged).toBe(gpuTimeCostMicros(Math.floor(latest - start) * count, microsPerGpuHour));
        expect(m.gpuSeconds).toBeCloseTo(((latest - start) * count) / 1000, 6);
      },
    ), { numRuns: 500 });
  });

  it('knows what one more interval costs: stopping when the next one would cross leaves spend within one interval under the budget', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 8 }), fc.integer({ min: 100_000, max: 100_000_000 }), fc.integer({ min: 10, max: 5_000 }),
      fc.integer({ min: 0, max: 2_000 }), fc.double({ min: 0, max: 1, noNaN: true }),
      (count, price, tickMs, ticks, part) => {
        const m = new GpuMeter(0, count, price);
        // A budget of some whole ticks and part of one more (at most 2,000 ticks, so the loop stays short).
        const budget = m.costAt(ticks * tickMs) + Math.floor(part * m.nextCost(ticks * tickMs, tickMs));
        let t = 0;
        while (m.charged + m.nextCost(t, tickMs) <= budget) m.tick((t += tickMs));
        expect(m.charged).toBeLessThanOrEqual(budget);
        expect(budget - m.charged).toBeLessThanOrEqual(m.nextCost(t, tickMs));
      },
    ), { numRuns: 300 });
  });

  it('knows the last millisecond within a budget: the next one costs more (where the deployment\'s kill timer fires)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 10_000_000_000 }), fc.integer({ min: 0, max: 2e12 }), fc.integer({ min: 0, max: 1e12 }),
      (count, price, start, budget) => {
        const m = new GpuMeter(start, count, price);
        const t = m.lastWithin(budget);
        // Never within 142,000 years (a tiny price for a large budget): no timer.
        if (t === Infinity) return void expect(m.costAt(start + 2 ** 51)).toBeLessThanOrEqual(budget);
        expect(t).toBeGreaterThanOrEqual(start);
        expect(m.costAt(t)).toBeLessThanOrEqual(budget);
        expect(m.costAt(t) + m.nextCost(t, 1)).toBeGreaterThan(budget);
      },
    ), { numRuns: 500 });
  });
});
