import type { SpendTallyView, TenantSpend } from '../../api/types.js';

export type Source = 'metered' | 'runs';

export interface NamedSpend {
  readonly name: string;
  readonly metered_usd: number;
  readonly runs_usd: number;
  readonly total_usd: number;
  readonly calls: number;
}

const tallies = (t: TenantSpend): [Source, SpendTallyView][] => (t.runs ? [['metered', t.metered], ['runs', t.runs]] : [['metered', t.metered]]);

/** One breakdown (by model, provider or deployment) summed over tenants, each source apart; largest first. */
export function combineShares(tenants: readonly TenantSpend[], pick: (t: SpendTallyView) => SpendTallyView['by_model']): NamedSpend[] {
  const m = new Map<string, { metered: number; runs: number; calls: number }>();
  for (const t of tenants) {
    for (const [source, tally] of tallies(t)) {
      for (const s of pick(tally)) {
        const e = m.get(s.name) ?? { metered: 0, runs: 0, calls: 0 };
        e[source] += s.spend_micros;
        e.calls += s.calls;
        m.set(s.name, e);
      }
    }
  }
  return [...m].map(([name, e]) => ({ name, metered_usd: e.metered / 1e6, runs_usd: e.runs / 1e6, total_usd: (e.metered + e.runs) / 1e6, calls: e.calls }))
    .sort((a, b) => b.total_usd - a.total_usd || a.name.localeCompare(b.name));
}

export interface DayRow {
  readonly day: string;
  readonly tenant_id: string;
  readonly source: Source;
  readonly spend_usd: number;
  readonly calls: number;
}

/** Daily spend per tenant and source, oldest day first. */
export function dailyRows(tenants: readonly TenantSpend[]): DayRow[] {
  const rows: DayRow[] = [];
  for (const t of tenants) {
    for (const [source, tally] of tallies(t)) {
      for (const d of tally.daily) rows.push({ day: d.day, tenant_id: t.tenant_id, source, spend_usd: d.spend_micros / 1e6, calls: d.calls });
    }
  }
  return rows.sort((a, b) => a.day.localeCompare(b.day) || a.tenant_id.localeCompare(b.tenant_id) || a.source.localeCompare(b.source));
}

/** Total spend recorded for a tenant: what the server charged from telemetry plus the run table's finished runs. */
export const recordedUsd = (t: TenantSpend) => (t.metered.spend_micros + (t.runs?.spend_micros ?? 0)) / 1e6;
