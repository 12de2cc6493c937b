import type { TelemetryEvent } from '../stream/index.js';

/**
 * Spend the server charged on its own, outside POST /telemetry (a deployment's GPU-time ticks), for whatever shows
 * spend (the dashboard). `tenant` is whose spend it is; the event's `tenant_id` is the budget scope it was charged to.
 * A listener that throws is ignored: showing spend never stops charging it.
 */
export class SpendFeed {
  private readonly listeners = new Set<(tenant: string, e: TelemetryEvent) => void>();

  on(listener: (tenant: string, e: TelemetryEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(tenant: string, e: TelemetryEvent): void {
    for (const l of this.listeners) {
      try {
        l(tenant, e);
      } catch {
        // see the class comment
      }
    }
  }
}
