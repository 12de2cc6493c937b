import { Area, AreaChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { TenantSpend } from '../../../api/types.js';
import { ChartBox } from '../../../components/Card.js';
import { clock, usd } from '../../../components/format.js';
import { AXIS, GRID, seriesColor } from '../../../components/palette.js';

const SHOWN = 90;

/** The last 15 minutes of 10-second cost windows, one stacked area per tenant; quiet windows are zero. */
export function LiveWindowsChart({ tenants, windowSeconds, now }: { tenants: readonly TenantSpend[]; windowSeconds: number; now: number }) {
  const size = windowSeconds * 1000;
  const last = Math.floor(now / size) * size;
  const data = Array.from({ length: SHOWN }, (_, i) => {
    const start = last - (SHOWN - 1 - i) * size;
    return { start, label: clock(new Date(start).toISOString()) } as Record<string, number | string>;
  });
  const first = last - (SHOWN - 1) * size;
  for (const t of tenants) {
    for (const w of t.windows) {
      const i = (Date.parse(w.window_start) - first) / size;
      // A tenant's own window and (read from lut.cost-windows) each of its deployments' add up; a window of
      // another size (an engine switched to another --window) falls between the slots and is left out.
      if (w.scope === 'tenant' && Number.isInteger(i) && i >= 0 && i < SHOWN) data[i][t.tenant_id] = Number(data[i][t.tenant_id] ?? 0) + w.spend_usd;
    }
  }
  for (const d of data) for (const t of tenants) d[t.tenant_id] ??= 0;
  const total = tenants.reduce((s, t) => s + t.windows.filter((w) => w.scope === 'tenant').reduce((a, w) => a + w.spend_usd, 0), 0);
  return (
    <ChartBox label={`Spend per ${windowSeconds}-second window over the last 15 minutes, stacked by tenant; ${usd(total)} in the last hour`}>
      <ResponsiveContainer>
        <AreaChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid stroke={GRID} vertical={false} />
          <XAxis dataKey="label" stroke={AXIS} tick={{ fontSize: 12 }} minTickGap={40} />
          <YAxis stroke={AXIS} tick={{ fontSize: 12 }} tickFormatter={(v: number) => usd(v)} width={80} />
          <Tooltip formatter={(v) => usd(Number(v))} />
          <Legend />
          {tenants.map((t, i) => (
            <Area key={t.tenant_id} dataKey={t.tenant_id} stackId="live" type="stepAfter" stroke={seriesColor(i)} fill={seriesColor(i)}
              fillOpacity={0.35} isAnimationActive={false} />
          ))}
        </AreaChart>
      </ResponsiveContainer>
    </ChartBox>
  );
}
