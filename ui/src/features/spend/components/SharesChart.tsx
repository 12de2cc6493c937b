import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartBox } from '../../../components/Card.js';
import { usd } from '../../../components/format.js';
import { AXIS, GRID, seriesColor } from '../../../components/palette.js';
import type { NamedSpend } from '../combine.js';

/** The largest names of a breakdown as horizontal bars, metered and run spend stacked. */
export function SharesChart({ shares, what, top = 8 }: { shares: readonly NamedSpend[]; what: string; top?: number }) {
  const data = shares.slice(0, top);
  return (
    <ChartBox label={`Spend by ${what}, the ${data.length} largest: ${data.map((s) => `${s.name} ${usd(s.total_usd)}`).join(', ')}`}
      height={Math.max(160, 36 * data.length + 60)}>
      <ResponsiveContainer>
        <BarChart data={data} layout="vertical" margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid stroke={GRID} horizontal={false} />
          <XAxis type="number" stroke={AXIS} tick={{ fontSize: 12 }} tickFormatter={(v: number) => usd(v)} />
          <YAxis type="category" dataKey="name" stroke={AXIS} tick={{ fontSize: 12 }} width={150} />
          <Tooltip formatter={(v) => usd(Number(v))} />
          <Legend />
          <Bar dataKey="runs_usd" name="finished runs" stackId="s" fill={seriesColor(0)} isAnimationActive={false} />
          <Bar dataKey="metered_usd" name="metered calls" stackId="s" fill={seriesColor(1)} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </ChartBox>
  );
}
