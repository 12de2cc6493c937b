/** Aligned text tables for people (kubectl get, sky status); scripts ask for --json instead. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], opts: { right?: readonly number[] } = {}): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const right = new Set(opts.right ?? []);
  const line = (cells: readonly string[]) => cells
    .map((c, i) => (right.has(i) ? (c ?? '').padStart(widths[i]) : (c ?? '').padEnd(widths[i])))
    .join('  ')
    .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** `$0.123456` with a fixed number of decimals; `-` when absent. */
export function usd(v: number | undefined | null, decimals = 4): string {
  return v === undefined || v === null ? '-' : `$${v.toFixed(decimals)}`;
}

/** `1h02m`, `3m05s`, `12s`. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
