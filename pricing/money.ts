/**
 * Money is exact: ledgers hold integer micro-dollars (µ$), prices are integer µ$ per million tokens
 * or per GPU-hour. Floats appear only at the edges (parsing a price file, printing a figure).
 */
export type Micros = number;

const MAX_USD = Number.MAX_SAFE_INTEGER / 1e6;

/** A USD amount with at most six decimals, as exact integer micro-dollars. */
export function usdToMicros(usd: number, field = 'usd'): Micros {
  if (!Number.isFinite(usd) || usd < 0 || usd > MAX_USD) throw new RangeError(`${field}: expected a non-negative USD amount, got ${usd}`);
  return Math.round(usd * 1e6);
}

export function microsToUsd(micros: Micros): number {
  return micros / 1e6;
}

/** Rounds half up, in BigInt so that large token counts never lose precision. */
function mulDivRound(a: number, b: number, div: bigint): Micros {
  const p = BigInt(a) * BigInt(b);
  return Number((p + div / 2n) / div);
}

/** Cost of `tokens` at `microsPerMtok` (µ$ per million tokens), in whole µ$. */
export function tokenCostMicros(tokens: number, microsPerMtok: Micros): Micros {
  if (!Number.isInteger(tokens) || tokens < 0) throw new RangeError(`tokens: expected a non-negative integer, got ${tokens}`);
  return mulDivRound(tokens, microsPerMtok, 1_000_000n);
}

/** Cost of `gpuMillis` GPU-milliseconds at `microsPerGpuHour`, in whole µ$. */
export function gpuTimeCostMicros(gpuMillis: number, microsPerGpuHour: Micros): Micros {
  if (!Number.isInteger(gpuMillis) || gpuMillis < 0) throw new RangeError(`gpuMillis: expected a non-negative integer, got ${gpuMillis}`);
  return mulDivRound(gpuMillis, microsPerGpuHour, 3_600_000n);
}
