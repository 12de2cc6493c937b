import { describe, expect, it } from 'vitest';
import { SpendBook } from '../../serving/routes/dashboard/spend-book.js';

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
});
