import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ModelAccuracyResponse } from '../../../api/types.js';
import { ChartBox } from '../../../components/Card.js';
import { percent } from '../../../components/format.js';
import { AXIS, GRID, seriesColor } from '../../../components/palette.js';
import { MIN_RUNS } from '../min-runs.js';

/** Share of each day's finished runs that cost no more than their P90: a calibrated P90 stays near 90 %. */
export function CoverageChart({ days: all }: { days: ModelAccuracyResponse['by_day'] }) {
  const days = all.filter((d) => d.runs >= MIN_RUNS);
  return (
    <ChartBox label={`P90 coverage by day over ${days.length} days; the target is 90 %`} height={240}>
      <ResponsiveContainer>
        <LineChart data={days} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid stroke={GRID} />
          <XAxis dataKey="day" stroke={AXIS} tick={{ fontSize: 12 }} />
          <YAxis domain={[0, 100]} stroke={AXIS} tick={{ fontSize: 12 }} tickFormatter={(v: number) => percent(v, 0)} width={56} />
          <Tooltip formatter={(v, _n, item) => `${percent(Number(v))} of ${(item.payload as { runs: number }).runs} runs`} />
          <ReferenceLine y={90} stroke={seriesColor(1)} strokeDasharray="6 4" label={{ value: 'target 90 %', fill: AXIS, fontSize: 12, position: 'insideBottomRight' }} />
          <Line dataKey="p90_coverage" name="P90 coverage" stroke={seriesColor(0)} strokeWidth={2} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </ChartBox>
  );
}
