import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartBox } from '../../../components/Card.js';
import { usd } from '../../../components/format.js';
import { AXIS, GRID, seriesColor } from '../../../components/palette.js';
import type { DayRow } from '../combine.js';

const DAY = 86_400_000;
/** Days without spend are drawn (empty) when the chart spans at most this many; a longer span shows only days with spend. */
const MAX_FILLED = 120;

/** Spend per UTC day, one stacked bar per tenant (both sources summed). */
export function DailySpendChart({ rows, tenants }: { rows: readonly DayRow[]; tenants: readonly string[] }) {
  const byDay = new Map<string, Record<string, number | string>>();
  const first = rows.length ? Date.parse(rows[0].day) : 0;
  const last = rows.length ? Date.parse(rows[rows.length - 1].day) : -1;
  if ((last - first) / DAY <= MAX_FILLED) {
    for (let t = first; t <= last; t += DAY) byDay.set(new Date(t).toISOString().slice(0, 10), { day: new Date(t).toISOString().slice(0, 10) });
  }
  for (const r of rows) {
    const d = byDay.get(r.day) ?? { day: r.day };
    d[r.tenant_id] = ((d[r.tenant_id] as number | undefined) ?? 0) + r.spend_usd;
    byDay.set(r.day, d);
  }
  const data = [...byDay.values()].sort((a, b) => String(a.day).localeCompare(String(b.day)));
  const total = rows.reduce((s, r) => s + r.spend_usd, 0);
  return (
    <ChartBox label={`Daily spend by tenant over ${data.length} days, ${usd(total)} in all; the table below lists every figure`}>
      <ResponsiveContainer>
        <BarChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid stroke={GRID} vertical={false} />
          <XAxis dataKey="day" stroke={AXIS} tick={{ fontSize: 12 }} />
          <YAxis stroke={AXIS} tick={{ fontSize: 12 }} tickFormatter={(v: number) => usd(v)} width={80} />
          <Tooltip formatter={(v) => usd(Number(v))} />
          <Legend />
          {tenants.map((t, i) => <Bar key={t} dataKey={t} stackId="spend" fill={seriesColor(i)} isAnimationActive={false} />)}
        </BarChart>
      </ResponsiveContainer>
    </ChartBox>
  );
}
