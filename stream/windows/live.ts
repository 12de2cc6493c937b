import type { TelemetryEvent } from '../contracts/telemetry.js';
import { CostWindowAggregator } from './aggregator.js';
import { windowListeners, type CostWindowSource } from './source.js';

export interface LiveWindowOptions {
  /** A scope quiet this long has its open window closed (default 3 s). */
  readonly idleTimeoutMs?: number;
  /** How often quiet is checked (default 1 s). */
  readonly tickMs?: number;
}

export type LiveWindows = CostWindowSource & {
  /** Counts an event; the windows it changed are emitted at the next `flush()` or tick. */
  add(event: TelemetryEvent): void;
  /** Emits the windows changed since the last flush (a reader that must see the latest calls it first). */
  flush(): void;
};

/**
 * The embedded source: the stream's own aggregator over the events a process counts itself, emitting every
 * change (open windows as they grow, then closed by the watermark or by quiet) at each flush and tick.
 */
export function liveCostWindows(opts: LiveWindowOptions = {}): LiveWindows {
  const tickMs = opts.tickMs ?? 1_000;
  const agg = new CostWindowAggregator({ idleTimeoutMs: opts.idleTimeoutMs ?? 3_000, emit: () => {} });
  const out = windowListeners();
  const drain = () => {
    for (const w of agg.takeChanges().windows) out.emit(w.window, w.emitted);
  };
  const timer = setInterval(() => {
    agg.idle(0, tickMs);
    drain();
  }, tickMs);
  timer.unref();
  return {
    on: out.on,
    add(event) {
      agg.add(event);
    },
    flush: drain,
    async close() {
      clearInterval(timer);
    },
  };
}
