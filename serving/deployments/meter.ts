import { gpuTimeCostMicros } from '../../pricing/index.js';

/**
 * GPU time priced as it passes: the cost at any instant is elapsed GPU-milliseconds × the price in force, rounded
 * once (never per tick), so the ticks charged always add up exactly to the cost of the whole elapsed time.
 */
export class GpuMeter {
  private chargedMicros = 0;
  private lastMs: number;
  private seq = 0;

  constructor(readonly startedAt: number, readonly gpuCount: number, readonly microsPerGpuHour: number) {
    this.lastMs = startedAt;
  }

  get charged(): number {
    return this.chargedMicros;
  }

  get ticks(): number {
    return this.seq;
  }

  /** GPU-seconds metered so far (wall seconds × GPUs). */
  get gpuSeconds(): number {
    return ((this.lastMs - this.startedAt) * this.gpuCount) / 1000;
  }

  /** What the whole run costs if it ends at `at`. */
  costAt(at: number): number {
    const gpuMillis = Math.max(0, Math.floor(at - this.startedAt)) * this.gpuCount;
    return gpuTimeCostMicros(gpuMillis, this.microsPerGpuHour);
  }

  /**
   * The last instant at which the run still costs at most `micros`: one millisecond later it costs more. Found on
   * the cost itself (whole micro-dollars per whole millisecond), not on the price, so that a check at that instant
   * of the next millisecond's cost always sees the crossing. Infinity when that is past 2^52 ms (142,000 years:
   * never) or the price is 0.
   */
  lastWithin(micros: number): number {
    let lo = this.startedAt, hi = this.startedAt + 1;
    while (this.costAt(hi) <= micros) {
      if (hi - this.startedAt >= 2 ** 52) return Infinity;
      hi = this.startedAt + (hi - this.startedAt) * 2;
    }
    while (hi - lo > 1) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (this.costAt(mid) <= micros) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  /** What one more interval of `ms` adds on top of the cost at `at`. */
  nextCost(at: number, ms: number): number {
    return this.costAt(at + ms) - this.costAt(at);
  }

  /**
   * Takes a tick at `at`: what is due since the last one (possibly 0), the wall seconds it covers, and its
   * sequence number (the telemetry event id's suffix). Time never runs backwards: an earlier `at` adds nothing.
   */
  tick(at: number): { seq: number; micros: number; seconds: number; from: number; to: number } {
    const to = Math.max(at, this.lastMs);
    const due = this.costAt(to);
    const micros = due - this.chargedMicros;
    const from = this.lastMs;
    this.chargedMicros = due;
    this.lastMs = to;
    return { seq: ++this.seq, micros, seconds: (to - from) / 1000, from, to };
  }
}
