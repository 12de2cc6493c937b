import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ModelAccuracyResponse } from '../../../api/types.js';
import { ChartBox } from '../../../components/Card.js';
import { percent } from '../../../components/format.js';
import { AXIS, GRID, seriesColor } from '../../../components/palette.js';
import { MIN_RUNS } from '../min-runs.js';

/** Median error of the P50 per GPU x engine (and per API provider), worst first. */
export function GroupChart({ groups, top = 12 }: { groups: ModelAccuracyResponse['by_group']; top?: number }) {
  const data = groups.filter((g) => g.median_ape !== null && g.runs >= MIN_RUNS).slice(0, top);
  return (
    <ChartBox label={`Median error by hardware and engine, the ${data.length} worst groups`} height={Math.max(180, 30 * data.length + 50)}>
      <ResponsiveContainer>
        <BarChart data={data} layout="vertical" margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid stroke={GRID} horizontal={false} />
          <XAxis type="number" stroke={AXIS} tick={{ fontSize: 12 }} tickFormatter={(v: number) => percent(v, 0)} />
          <YAxis type="category" dataKey="group" stroke={AXIS} tick={{ fontSize: 12 }} width={170} />
          <Tooltip formatter={(v) => percent(Number(v))} />
          <Bar dataKey="median_ape" name="median error" fill={seriesColor(3)} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </ChartBox>
  );
}
