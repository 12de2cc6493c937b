import { DeltaError } from './errors.js';

/**
 * Delta timestamps are microseconds since the epoch; a JS Date holds only milliseconds. Rows carry them
 * as ISO-8601 UTC strings instead, with six fractional digits when the microseconds are not whole
 * milliseconds, so a value read and written again is unchanged. Digits past the microsecond are cut off
 * (the column's precision): any ISO-8601 timestamp with a zone that the stream contracts accept is stored.
 */
export function isoFromMicros(micros: bigint): string {
  const ms = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const sub = Number(micros - ms * 1000n);
  const iso = new Date(Number(ms)).toISOString();
  return sub === 0 ? iso : `${iso.slice(0, 23)}${String(sub).padStart(3, '0')}Z`;
}

const ISO = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

export function microsFromTimestamp(v: string | Date, column: string): bigint {
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) throw new DeltaError('BAD_ROW', `column '${column}': invalid Date`, column);
    return BigInt(v.getTime()) * 1000n;
  }
  const m = ISO.exec(v);
  const base = m ? Date.parse(`${m[1]}${m[3]}`) : NaN;
  if (!m || Number.isNaN(base)) throw new DeltaError('BAD_ROW', `column '${column}': '${v}' is not an ISO-8601 timestamp with a zone`, column);
  const frac = (m[2] ?? '').padEnd(6, '0').slice(0, 6);
  return BigInt(base) * 1000n + BigInt(frac);
}

/** hyparquet parsers that keep full precision for timestamps. */
export const PRECISE_PARSERS = {
  timestampFromMilliseconds: (ms: bigint) => isoFromMicros(BigInt(ms) * 1000n),
  timestampFromMicroseconds: (us: bigint) => isoFromMicros(BigInt(us)),
  timestampFromNanoseconds: (ns: bigint) => isoFromMicros(BigInt(ns) / 1000n),
  dateFromDays: (days: number) => new Date(days * 86_400_000).toISOString().slice(0, 10),
};
