import { CartesianGrid, Legend, ReferenceLine, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { AccuracyPoint } from '../../../api/types.js';
import { ChartBox } from '../../../components/Card.js';
import { usd } from '../../../components/format.js';
import { AXIS, GRID, seriesColor } from '../../../components/palette.js';

/** Predicted P50 against actual cost, both on log scales; on the diagonal the prediction was exact. */
export function PredictedVsActualChart({ points }: { points: readonly AccuracyPoint[] }) {
  const shown = points.filter((p) => p.actual_usd > 0 && p.predicted_p50_usd > 0);
  const lo = Math.min(...shown.map((p) => Math.min(p.actual_usd, p.predicted_p50_usd)));
  const hi = Math.max(...shown.map((p) => Math.max(p.actual_usd, p.predicted_p50_usd)));
  const domain = shown.length ? [lo / 1.5, hi * 1.5] : [0.001, 1];
  const series = [
    { name: 'runs the model never saw', data: shown.filter((p) => !p.in_sample), color: seriesColor(0) },
    { name: 'runs the model learned from', data: shown.filter((p) => p.in_sample), color: seriesColor(9) },
  ].filter((s) => s.data.length);
  return (
    <ChartBox label={`Predicted P50 against actual cost for ${shown.length} recent finished runs, log scales`} height={340}>
      <ResponsiveContainer>
        <ScatterChart margin={{ top: 8, right: 16, bottom: 24, left: 8 }}>
          <CartesianGrid stroke={GRID} />
          <XAxis dataKey="actual_usd" type="number" scale="log" domain={domain} name="actual" stroke={AXIS} tick={{ fontSize: 12 }}
            tickFormatter={(v: number) => usd(v)} label={{ value: 'actual cost', position: 'insideBottom', offset: -12, fill: AXIS }} />
          <YAxis dataKey="predicted_p50_usd" type="number" scale="log" domain={domain} name="predicted P50" stroke={AXIS} tick={{ fontSize: 12 }}
            tickFormatter={(v: number) => usd(v)} width={80} />
          <Tooltip formatter={(v) => usd(Number(v))} />
          <Legend verticalAlign="top" />
          <ReferenceLine segment={[{ x: domain[0], y: domain[0] }, { x: domain[1], y: domain[1] }]} stroke={AXIS} strokeDasharray="4 4" />
          {series.map((s) => <Scatter key={s.name} name={s.name} data={s.data} fill={s.color} fillOpacity={0.6} isAnimationActive={false} />)}
        </ScatterChart>
      </ResponsiveContainer>
    </ChartBox>
  );
}
