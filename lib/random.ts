/** Deterministic pseudo-random numbers (SplitMix32-seeded xoshiro128**), so a seed always gives the same sample. */
export interface Rng {
  next(): number;
  int(minInclusive: number, maxInclusive: number): number;
  normal(): number;
  logNormal(mu: number, sigma: number): number;
  pick<T>(items: readonly T[]): T;
  weighted<T>(items: readonly (readonly [T, number])[]): T;
}

export function createRng(seed: number): Rng {
  let s = seed >>> 0;
  const split = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  const st = [split(), split(), split(), split()];
  const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;
  const u32 = () => {
    const result = Math.imul(rotl(Math.imul(st[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (st[1] << 9) >>> 0;
    st[2] ^= st[0]; st[3] ^= st[1]; st[1] ^= st[2]; st[0] ^= st[3];
    st[2] ^= t; st[3] = rotl(st[3], 11);
    return result;
  };
  const next = () => (u32() + 0.5) / 4294967296;
  let spare: number | undefined;
  const normal = () => {
    if (spare !== undefined) { const v = spare; spare = undefined; return v; }
    const u = next(), v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    normal,
    logNormal: (mu, sigma) => Math.exp(mu + sigma * normal()),
    pick: (items) => items[Math.floor(next() * items.length)],
    weighted: (items) => {
      const total = items.reduce((a, [, w]) => a + w, 0);
      let r = next() * total;
      for (const [v, w] of items) { if ((r -= w) < 0) return v; }
      return items[items.length - 1][0];
    },
  };
}
