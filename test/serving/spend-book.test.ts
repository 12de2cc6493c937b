import { describe, expect, it } from 'vitest';
import { SpendBook } from '../../serving/routes/dashboard/spend-book.js';
import type { CostWindow, CostWindowSource } from '../../stream/index.js';

const T0 = Date.parse('2026-11-10T12:00:00Z');
const event = (tenant: string, i: number) => ({
  schema_version: 1, event_id: `e-${i}`, event_time: new Date(T0 + i).toISOString(), tenant_id: tenant, provider: 'openai',
  model: 'gpt-4o', cost_usd_micros: 7, outcome: 'ok',
}) as const;

describe('the dashboard\'s spend book under made-up scopes', () => {
  it('keeps a bounded number of books; past the bound a new scope\'s spend lands in its tenant\'s, none lost', () => {
    const book = new SpendBook({ clock: () => T0 + 60_000, tickMs: 3_600_000 });
    try {
      const n = 10_500;
      for (let i = 0; i < n; i++) book.record(event(`acme/s-${i}`, i));
      const ids = book.tenantIds();
      expect(ids.length).toBe(10_001);
      expect(ids).toContain('acme');
      const total = ids.reduce((s, id) => s + book.tenant(id)!.metered.spend_micros, 0);
      expect(total).toBe(7 * n);
      expect(book.tenant('acme')!.metered.spend_micros).toBe(7 * (n - 10_000));
      // A scope that has its own book keeps it.
      book.record(event('acme/s-3', n + 1));
      expect(book.tenant('acme/s-3')!.metered.spend_micros).toBe(14);
    } finally {
      book.close();
    }
  });

  it('read from lut.cost-windows: shows windows of the size most have (an engine switched to another --window), each scope\'s own', () => {
    let emit!: (w: CostWindow, closed: boolean) => void;
    const source: CostWindowSource = { on: (l) => { emit = l; return () => {}; }, close: async () => {} };
    const book = new SpendBook({ clock: () => T0 + 600_000, windows: source });
    const win = (tenant: string, key: string, startS: number, sizeS: number, micros: number): CostWindow => ({
      schema_version: 1, scope: key === tenant ? 'tenant' : 'deployment', key, tenant_id: tenant,
      window_start: new Date(T0 + startS * 1000).toISOString(), window_end: new Date(T0 + (startS + sizeS) * 1000).toISOString(),
      spend_usd_micros: micros, calls: 1, tokens: { input: 0, cached_input: 0, cache_write: 0, output: 0, reasoning: 0 }, gpu_seconds: 0, late_events: 0, revision: 0,
    });
    try {
      for (let i = 0; i < 6; i++) emit(win('acme', 'acme', i * 10, 10, 100 + i), true);
      emit(win('acme', 'acme', 0, 60, 999), true);
      expect(book.windowSeconds).toBe(10);
      expect(book.tenant('acme')!.windows.map((w) => w.spend_micros)).toEqual([100, 101, 102, 103, 104, 105]);
      // A later revision replaces its window; the size count does not change.
      emit({ ...win('acme', 'acme', 0, 10, 150), revision: 1 }, true);
      expect(book.tenant('acme')!.windows[0].spend_micros).toBe(150);
      // Most windows now 60 s long: those are shown.
      for (let i = 1; i < 8; i++) emit(win('acme', 'acme', i * 60, 60, 1000 + i), true);
      expect(book.windowSeconds).toBe(60);
      expect(book.tenant('acme')!.windows.map((w) => w.spend_micros)).toEqual([999, 1001, 1002, 1003, 1004, 1005, 1006, 1007]);
      // One deployment id reported by two scopes of a tenant: both windows are kept, in the tenant's book.
      emit(win('acme/deployment:d1', 'd1', 480, 60, 5), true);
      emit(win('acme/search', 'd1', 480, 60, 7), true);
      expect(book.tenant('acme')!.windows.filter((w) => w.key === 'd1').map((w) => w.spend_micros).sort()).toEqual([5]);
      expect(book.tenant('acme/search')!.windows.filter((w) => w.key === 'd1').map((w) => w.spend_micros)).toEqual([7]);
    } finally {
      book.close();
    }
  });
});
