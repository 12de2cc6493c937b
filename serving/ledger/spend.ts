import { windowAt, type WindowRule } from './windows.js';

const HOUR = 3_600_000;
/** Longer than any monthly window (31 days) with room for the reset hour. */
export const BUCKET_RETENTION_MS = 40 * 86_400_000;

/**
 * A tenant's charges by the hour they were charged at. Every budget window starts on a whole UTC hour, so
 * the spend of any window, under any rule, is a sum of whole buckets: changing a budget's window or reset
 * hour re-buckets the same charges instead of dropping them. Buckets older than the longest window are
 * folded into the all-time total, which is all a `total` window needs.
 */
export class SpendBuckets {
  private readonly hours = new Map<number, number>();
  private allTime = 0;
  private cache?: { rule: WindowRule; start: number; end: number; sum: number };

  add(at: number, micros: number): void {
    const h = Math.floor(at / HOUR) * HOUR;
    this.hours.set(h, (this.hours.get(h) ?? 0) + micros);
    this.allTime += micros;
    const c = this.cache;
    if (c && at >= c.start && at < c.end) c.sum += micros;
  }

  /** Spend in the window of `rule` that contains `now`. */
  inWindow(rule: WindowRule, now: number): number {
    if (rule.window === 'total') return this.allTime;
    const w = windowAt(rule, now);
    const c = this.cache;
    if (c && c.start === w.start && c.end === w.end && sameRule(c.rule, rule)) return c.sum;
    this.prune(now);
    let sum = 0;
    for (const [h, micros] of this.hours) if (h >= w.start && h < w.end) sum += micros;
    this.cache = { rule, start: w.start, end: w.end, sum };
    return sum;
  }

  /** Spend charged at or after `from`. */
  since(from: number): number {
    const h = Math.floor(from / HOUR) * HOUR;
    let sum = 0;
    for (const [hour, micros] of this.hours) if (hour >= h) sum += micros;
    return sum;
  }

  private prune(now: number): void {
    for (const h of this.hours.keys()) if (h < now - BUCKET_RETENTION_MS) this.hours.delete(h);
  }

  toJSON(): { all_time: number; hours: [number, number][] } {
    return { all_time: this.allTime, hours: [...this.hours] };
  }

  static fromJSON(j: { all_time: number; hours: [number, number][] }): SpendBuckets {
    const s = new SpendBuckets();
    s.allTime = j.all_time;
    for (const [h, m] of j.hours) s.hours.set(h, m);
    return s;
  }
}

function sameRule(a: WindowRule, b: WindowRule): boolean {
  return a.window === b.window && a.resetHourUtc === b.resetHourUtc && a.resetDay === b.resetDay;
}
