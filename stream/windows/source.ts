import type { CostWindow } from './contract.js';

/**
 * Where a consumer (the dashboard, `watch`) reads the 10-second cost windows from, whichever engine made them:
 * the server's own aggregator (open windows included), or `lut.cost-windows` as our Kafka job or the Flink job
 * wrote it (closed windows and their late revisions; a later record replaces an earlier one of the same key).
 */
export interface CostWindowSource {
  /** Each window as it changes; `closed` once its engine closed it. Returns the unsubscribe. */
  on(listener: (window: CostWindow, closed: boolean) => void): () => void;
  close(): Promise<void>;
}

/** Calls each listener, ignoring one that throws: showing windows never stops reading them. */
export function windowListeners(): { on: CostWindowSource['on']; emit(window: CostWindow, closed: boolean): void } {
  const listeners = new Set<(window: CostWindow, closed: boolean) => void>();
  return {
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(window, closed) {
      for (const l of listeners) {
        try {
          l(window, closed);
        } catch {
          // see above
        }
      }
    },
  };
}
