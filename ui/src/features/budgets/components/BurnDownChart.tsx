import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { BudgetView, SpendTallyView } from '../../../api/types.js';
import { ChartBox } from '../../../components/Card.js';
import { usd, utc } from '../../../components/format.js';
import { AXIS, GRID, seriesColor } from '../../../components/palette.js';

const DAY = 86_400_000;

type DaySpend = SpendTallyView['daily'][number];

/**
 * What remains of the budget over its window: from the limit at the window's start, down by the metered spend
 * of each day this server charged (`daily`), to what remains now (all spend and reservations taken: settled runs
 * and spend from before a restart show there), then the forecast at the last 24 hours' rate until it runs out
 * or the window ends.
 */
export function BurnDownChart({ budget: b, daily, now }: { budget: BudgetView; daily: readonly DaySpend[]; now: number }) {
  const start = Date.parse(b.window_start ?? b.created_at);
  const end = b.window_end ? Date.parse(b.window_end) : now + 30 * DAY;
  const rate = b.forecast.spend_rate_usd_per_day;
  const out = b.forecast.runs_out_at ? Math.min(Date.parse(b.forecast.runs_out_at), end) : end;
  let left = b.limit_usd;
  const path = daily.flatMap((d) => {
    const dayEnd = Date.parse(d.day) + DAY;
    if (dayEnd <= start || dayEnd >= now) return [];
    left -= d.spend_usd;
    return [{ t: dayEnd, remaining: Math.max(left, b.remaining_usd) }];
  });
  const data = [
    { t: start, remaining: b.limit_usd },
    ...path,
    { t: now, remaining: b.remaining_usd, forecast: b.remaining_usd },
    { t: out, forecast: Math.max(0, b.remaining_usd - (rate * (out - now)) / DAY) },
  ];
  const label = `${b.tenant_id}: ${usd(b.remaining_usd)} of ${usd(b.limit_usd)} remains; `
    + (b.forecast.runs_out_at && !b.forecast.resets_first ? `runs out ${utc(b.forecast.runs_out_at)} at ${usd(rate)} a day` : 'does not run out this window at the current rate');
  return (
    <ChartBox label={label} height={200}>
      <ResponsiveContainer>
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid stroke={GRID} />
          <XAxis dataKey="t" type="number" scale="time" domain={[start, end]} stroke={AXIS} tick={{ fontSize: 11 }}
            tickFormatter={(v: number) => new Date(v).toISOString().slice(5, 10)} />
          <YAxis stroke={AXIS} tick={{ fontSize: 11 }} domain={[0, Math.max(b.limit_usd, 0.01)]} tickFormatter={(v: number) => usd(v)} width={76} />
          <Tooltip labelFormatter={(v) => utc(new Date(Number(v)).toISOString())} formatter={(v) => usd(Number(v))} />
          <ReferenceLine x={now} stroke={AXIS} strokeDasharray="2 4" label={{ value: 'now', fill: AXIS, fontSize: 11, position: 'insideTopLeft' }} />
          <Line dataKey="remaining" name="remaining" stroke={seriesColor(0)} strokeWidth={2} dot isAnimationActive={false} connectNulls />
          <Line dataKey="forecast" name="forecast" stroke={seriesColor(1)} strokeWidth={2} strokeDasharray="6 4" dot={false} isAnimationActive={false} connectNulls />
        </LineChart>
      </ResponsiveContainer>
    </ChartBox>
  );
}
