import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartBox } from '../../../components/Card.js';
import { count } from '../../../components/format.js';
import { AXIS, GRID, seriesColor } from '../../../components/palette.js';

export const TOKEN_KINDS = [
  ['input', 'input'], ['cached_input', 'cached input'], ['cache_write', 'cache write'], ['output', 'output'], ['reasoning', 'reasoning'],
] as const;

export type TokenTotals = Record<(typeof TOKEN_KINDS)[number][0], number>;

/** Tokens by kind; cached input is part of input, reasoning part of output. */
export function TokensChart({ tokens }: { tokens: TokenTotals }) {
  const data = TOKEN_KINDS.map(([k, label]) => ({ kind: label, tokens: tokens[k] }));
  return (
    <ChartBox label={`Tokens by kind: ${data.map((d) => `${d.kind} ${count(d.tokens)}`).join(', ')}`} height={220}>
      <ResponsiveContainer>
        <BarChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid stroke={GRID} vertical={false} />
          <XAxis dataKey="kind" stroke={AXIS} tick={{ fontSize: 12 }} />
          <YAxis stroke={AXIS} tick={{ fontSize: 12 }} tickFormatter={(v: number) => count(v)} width={90} />
          <Tooltip formatter={(v) => count(Number(v))} />
          <Bar dataKey="tokens" fill={seriesColor(5)} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </ChartBox>
  );
}
