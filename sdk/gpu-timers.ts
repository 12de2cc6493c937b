import { onProcessEnd } from './exit-hooks.js';
import { GpuTimer, type GpuTimerOptions } from './gpu-timer.js';
import { Watchdog } from './watchdog.js';

export interface GpuTimersDeps {
  /** SELF_KILL: a watchdog thread prices running timers and kills the process on a crossing. */
  readonly selfKill: boolean;
  readonly limitMicros: number;
  readonly tickMs: number;
  add(micros: number, timer: GpuTimer): void;
  done(timer: GpuTimer): void;
  flush(): Promise<void>;
}

/**
 * The client's running GPU timers. Each is charged up to the end of the process: stopped by the
 * caller, or by the exit and signal hooks that are installed while any timer runs.
 */
export class GpuTimers {
  private readonly running = new Set<GpuTimer>();
  private watchdog?: Watchdog;
  private uninstall?: () => void;

  constructor(private readonly deps: GpuTimersDeps) {}

  start(options: GpuTimerOptions, microsPerHour: number): GpuTimer {
    if (this.deps.selfKill) this.watchdog ??= new Watchdog(this.deps.limitMicros, this.deps.tickMs);
    let slot = -1;
    const timer = new GpuTimer(options, microsPerHour, {
      add: (micros) => {
        this.watchdog?.charged(slot, timer.costMicros);
        this.deps.add(micros, timer);
      },
      done: (t) => {
        this.watchdog?.unwatch(slot);
        this.running.delete(t);
        if (this.running.size === 0) this.unhook();
        this.deps.done(t);
      },
    });
    slot = this.watchdog?.watch(timer.startedEpochMs, microsPerHour) ?? -1;
    this.running.add(timer);
    this.uninstall ??= onProcessEnd(() => this.stopAll(), this.deps.flush);
    return timer;
  }

  /** The latest running timer. */
  latest(): GpuTimer | undefined {
    return [...this.running].pop();
  }

  /** Mirrors the spend for the watchdog. */
  spent(micros: number): void {
    this.watchdog?.spent(micros);
  }

  stopAll(): void {
    for (const t of [...this.running]) t.stop();
  }

  async close(): Promise<void> {
    this.stopAll();
    this.unhook();
    await this.watchdog?.close();
    this.watchdog = undefined;
  }

  private unhook(): void {
    this.uninstall?.();
    this.uninstall = undefined;
  }
}
