import fc from 'fast-check';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, PgLedger, windowAt } from '../../serving/index.js';
import { freshDatabase } from './pg.js';

const ledgers: PgLedger[] = [];
afterAll(async () => { await Promise.all(ledgers.map((l) => l.close())); });
const open = async (url: string, clock?: () => number) => {
  const l = await PgLedger.open({ url, clock, log: { warn() {}, error() {} } });
  ledgers.push(l);
  return l;
};

async function sql<T extends pg.QueryResultRow>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text, params)).rows;
  } finally {
    await c.end();
  }
}

describe('the PostgreSQL ledger store', () => {
  it('computes budget windows in SQL exactly as the TypeScript ledger does', async () => {
    const url = await freshDatabase();
    await open(url);
    const samples = fc.sample(fc.record({
      window: fc.constantFrom('total', 'daily', 'monthly' as const),
      resetHour: fc.integer({ min: 0, max: 23 }),
      resetDay: fc.integer({ min: 1, max: 28 }),
      at: fc.integer({ min: Date.parse('2024-01-01T00:00:00Z'), max: Date.parse('2030-12-31T23:59:59Z') }),
    }), 3000);
    // Month ends, leap days and reset instants themselves are where windows go wrong.
    for (const at of ['2028-02-29T05:00:00Z', '2026-12-31T23:00:00Z', '2027-01-01T00:00:00Z', '2026-03-15T06:00:00Z', '2026-03-15T05:59:59.999Z']) {
      samples.push({ window: 'monthly', resetHour: 6, resetDay: 15, at: Date.parse(at) }, { window: 'daily', resetHour: 6, resetDay: 1, at: Date.parse(at) });
    }
    const rows = await sql<{ s: string | null; e: string | null }>(url, `
      SELECT extract(epoch FROM w.wstart) * 1000 AS s, extract(epoch FROM w.wend) * 1000 AS e
      FROM unnest($1::text[], $2::int[], $3::int[], $4::float8[]) WITH ORDINALITY AS t(w, h, d, at, ord),
        lutflow_window(t.w, t.h, t.d, to_timestamp(t.at / 1000.0)) w ORDER BY ord`,
    [samples.map((x) => x.window), samples.map((x) => x.resetHour), samples.map((x) => x.resetDay), samples.map((x) => x.at)]);
    samples.forEach((x, i) => {
      const ts = windowAt({ window: x.window, resetHourUtc: x.resetHour, resetDay: x.resetDay }, x.at);
      const got = x.window === 'total' ? { start: 0, end: Infinity } : { start: Number(rows[i].s), end: Number(rows[i].e) };
      expect(got, JSON.stringify({ ...x, at: new Date(x.at).toISOString() })).toEqual(ts);
    });
  });

  it('migrates once, even with replicas starting together, and refuses a schema newer than it knows', async () => {
    const url = await freshDatabase();
    await Promise.all([open(url), open(url), open(url)]);
    const versions = await sql<{ version: number }>(url, 'SELECT version FROM lutflow_schema_migrations ORDER BY version');
    expect(versions.map((v) => v.version)).toEqual(MIGRATIONS.map((m) => m.version));
    await sql(url, "INSERT INTO lutflow_schema_migrations (version, name) VALUES (999, 'from the future')");
    await expect(PgLedger.open({ url })).rejects.toThrow(/schema version 999, newer than this Lutflow knows/);
  });

  it('refuses a database that applied a migration from a text that has changed since', async () => {
    const url = await freshDatabase();
    await open(url);
    const [row] = await sql<{ checksum: string }>(url, 'SELECT checksum FROM lutflow_schema_migrations WHERE version = 6');
    expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
    await sql(url, "UPDATE lutflow_schema_migrations SET checksum = repeat('0', 64) WHERE version = 6");
    await expect(PgLedger.open({ url })).rejects.toThrow(/applied schema version 6 from a different text/);
  });

  it('grants exactly what fits to 600 concurrent reservations from three replicas', async () => {
    const url = await freshDatabase();
    const replicas = await Promise.all([open(url), open(url), open(url)]);
    await replicas[0].create({ tenant_id: 't', limit_micros: 100 * 37_000 });
    const granted = (await Promise.all(Array.from({ length: 600 }, (_, i) => replicas[i % 3].reserve('t', 37_000, { ttlMs: 60_000 })))).filter(Boolean);
    expect(granted).toHaveLength(100);
    expect(await replicas[1].status('t')).toMatchObject({ reserved_micros: 100 * 37_000, remaining_micros: 0, reservations: 100 });
  });

  it('charges an event id once when the same batch reaches several replicas at once', async () => {
    const url = await freshDatabase();
    const replicas = await Promise.all([open(url), open(url), open(url)]);
    await replicas[0].create({ tenant_id: 't', limit_micros: 1e12 });
    const now = Date.now();
    const batch = Array.from({ length: 200 }, (_, i) => ({ id: `e${i}`, micros: 10 + i, at: now }));
    const results = await Promise.all(replicas.flatMap((r) => [r.charge('t', batch), r.charge('t', batch)]));
    expect(results.reduce((a, r) => a + r.charged, 0)).toBe(200);
    expect(results.reduce((a, r) => a + r.duplicates, 0)).toBe(5 * 200);
    expect((await replicas[2].status('t')).spent_micros).toBe(batch.reduce((a, b) => a + b.micros, 0));
  });

  it('keeps money as exact integers at the bounds', async () => {
    const url = await freshDatabase();
    const l = await open(url);
    await l.create({ tenant_id: 't', limit_micros: 1e15 });
    await l.charge('t', [{ id: 'a', micros: 1e15, at: Date.now() }, { id: 'b', micros: 1e15 - 1, at: Date.now() }]);
    const s = await l.status('t');
    expect(s.spent_micros).toBe(2e15 - 1);
    expect(Number.isSafeInteger(s.remaining_micros)).toBe(true);
    const types = await sql<{ data_type: string }>(url, "SELECT data_type FROM information_schema.columns WHERE column_name IN ('micros', 'limit_micros', 'amount_micros')");
    expect(new Set(types.map((t) => t.data_type))).toEqual(new Set(['bigint']));
  });
});
