import { gpuTimeCostMicros, microsToUsd } from '../pricing/index.js';

export interface GpuTimerOptions {
  readonly gpuType: string;
  readonly gpuCount: number;
  readonly spot?: boolean;
  /** How often the running cost is charged to the budget (and the budget checked). */
  readonly tickMs: number;
}

/** Prices elapsed GPU time while it runs, charging the budget each tick so a crossing acts mid-run. */
export class GpuTimer {
  private readonly started = performance.now();
  /** Wall-clock start, for the watchdog thread (whose clock origin differs). */
  readonly startedEpochMs = performance.timeOrigin + this.started;
  private charged = 0;
  private stoppedAt?: number;
  private readonly interval: NodeJS.Timeout;

  constructor(readonly options: GpuTimerOptions, private readonly microsPerHour: number, private readonly sink: { add(micros: number): void; done(t: GpuTimer): void }) {
    this.interval = setInterval(() => this.tick(), options.tickMs);
    this.interval.unref();
  }

  get elapsedMs(): number {
    return (this.stoppedAt ?? performance.now()) - this.started;
  }

  get costMicros(): number {
    return this.charged;
  }

  get costUsd(): number {
    return microsToUsd(this.charged);
  }

  get running(): boolean {
    return this.stoppedAt === undefined;
  }

  private tick(): void {
    const due = gpuTimeCostMicros(Math.floor(this.elapsedMs), this.microsPerHour);
    if (due > this.charged) {
      const delta = due - this.charged;
      this.charged = due;
      this.sink.add(delta);
    }
  }

  /** Stops the timer and returns what the whole run cost, in USD. */
  stop(): number {
    if (this.stoppedAt !== undefined) return this.costUsd;
    this.stoppedAt = performance.now();
    clearInterval(this.interval);
    this.tick();
    this.sink.done(this);
    return this.costUsd;
  }
}
