/** A small benchmark runner: repeats a scenario until it has run long enough, keeps the best of a few rounds. */
export interface Measurement {
  readonly name: string;
  readonly opsPerSecond: number;
  readonly nsPerOp: number;
}

export function measure(name: string, opsPerCall: number, fn: () => void, { rounds = 5, minMs = 300 } = {}): Measurement {
  for (let i = 0; i < 3; i++) fn();
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    let calls = 0;
    const t0 = process.hrtime.bigint();
    let elapsed = 0;
    do {
      fn();
      calls++;
      elapsed = Number(process.hrtime.bigint() - t0) / 1e6;
    } while (elapsed < minMs);
    best = Math.min(best, (elapsed * 1e6) / (calls * opsPerCall));
  }
  return { name, nsPerOp: best, opsPerSecond: 1e9 / best };
}

export function report(title: string, baseline: Measurement, rows: Measurement[]): void {
  console.log(`\n## ${title}`);
  console.log(`| scenario | per second | ns each | vs ${baseline.name} |`);
  console.log('|---|---:|---:|---:|');
  for (const m of [baseline, ...rows]) {
    console.log(`| ${m.name} | ${Math.round(m.opsPerSecond).toLocaleString('en-US')} | ${m.nsPerOp.toFixed(1)} | ${(m.opsPerSecond / baseline.opsPerSecond).toFixed(3)} |`);
  }
}

/** The q-quantile of a sample (nearest rank). */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}
