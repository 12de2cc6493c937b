import type { TelemetryEvent } from '../contracts/telemetry.js';
import { COST_WINDOW_SCHEMA_VERSION, type CostWindow } from './contract.js';

export interface WindowOptions {
  /** Tumbling window size (event time). */
  readonly sizeMs?: number;
  /** How far behind the newest event the watermark trails: events this much out of order are on time. */
  readonly outOfOrdernessMs?: number;
  /** After the watermark passes a window's end, late events still update it (a new revision) this long. */
  readonly allowedLatenessMs?: number;
  readonly emit: (w: CostWindow) => void;
}

export interface WindowStats {
  readonly events: number;
  readonly duplicates: number;
  readonly late: number;
  /** Later than the allowed lateness: counted here, not added to any window. */
  readonly tooLate: number;
  readonly openWindows: number;
}

interface State {
  readonly w: Mutable<CostWindow>;
  readonly end: number;
  readonly ids: Set<string>;
  emitted: boolean;
  /** Smallest source position (e.g. Kafka offset) per partition of the events in this window. */
  readonly minPosition: Map<number, bigint>;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };

export interface EventPosition {
  readonly partition: number;
  readonly offset: bigint;
}

/**
 * 10-second tumbling cost windows in event time, per tenant and per deployment. Each tenant's events
 * arrive in order on one partition (the topic is keyed by tenant), so each tenant has its own watermark:
 * its newest event time minus the out-of-orderness bound; one tenant's clock never closes another's
 * windows. a window is emitted (revision 0) when the
 * watermark passes its end, updated (revision + 1) by late events within the allowed lateness, and
 * forgotten after that. An event id is counted once per window.
 */
export class CostWindowAggregator {
  readonly sizeMs: number;
  readonly outOfOrdernessMs: number;
  readonly allowedLatenessMs: number;
  /** Open windows by tenant, then by scope/key/start. */
  private readonly windows = new Map<string, Map<string, State>>();
  private readonly maxEventTime = new Map<string, number>();
  private readonly s = { events: 0, duplicates: 0, late: 0, tooLate: 0 };

  constructor(private readonly opts: WindowOptions) {
    this.sizeMs = opts.sizeMs ?? 10_000;
    this.outOfOrdernessMs = opts.outOfOrdernessMs ?? 2_000;
    this.allowedLatenessMs = opts.allowedLatenessMs ?? 30_000;
  }

  watermark(tenant: string): number {
    return (this.maxEventTime.get(tenant) ?? -Infinity) - this.outOfOrdernessMs;
  }

  stats(): WindowStats {
    let open = 0;
    for (const m of this.windows.values()) open += m.size;
    return { ...this.s, openWindows: open };
  }

  add(e: TelemetryEvent, position?: EventPosition): void {
    const t = Date.parse(e.event_time);
    const start = Math.floor(t / this.sizeMs) * this.sizeMs;
    const end = start + this.sizeMs;
    const wm = this.watermark(e.tenant_id);
    const late = end <= wm;
    if (end + this.allowedLatenessMs <= wm) { this.s.tooLate++; return; }
    let windows = this.windows.get(e.tenant_id);
    if (!windows) this.windows.set(e.tenant_id, (windows = new Map()));
    let counted = false;
    for (const [scope, key] of [['tenant', e.tenant_id], ['deployment', e.deployment_id]] as const) {
      if (!key) continue;
      const id = `${scope}\u0000${key}\u0000${start}`;
      let st = windows.get(id);
      if (!st) {
        st = { w: empty(scope, key, e.tenant_id, start, end), end, ids: new Set(), emitted: false, minPosition: new Map() };
        windows.set(id, st);
      }
      if (st.ids.has(e.event_id)) { if (!counted) { this.s.duplicates++; counted = true; } continue; }
      st.ids.add(e.event_id);
      if (position) {
        const m = st.minPosition.get(position.partition);
        if (m === undefined || position.offset < m) st.minPosition.set(position.partition, position.offset);
      }
      const w = st.w;
      w.spend_usd_micros += e.cost_usd_micros;
      w.calls++;
      w.tokens.input += e.tokens?.input ?? 0;
      w.tokens.cached_input += e.tokens?.cached_input ?? 0;
      w.tokens.cache_write += e.tokens?.cache_write ?? 0;
      w.tokens.output += e.tokens?.output ?? 0;
      w.tokens.reasoning += e.tokens?.reasoning ?? 0;
      w.gpu_seconds += e.gpu ? e.gpu.seconds * e.gpu.count : 0;
      if (late) {
        w.late_events++;
        if (st.emitted) { w.revision++; this.opts.emit(snapshot(w)); }
      }
      if (!counted) { this.s.events++; if (late) this.s.late++; counted = true; }
    }
    if (t > (this.maxEventTime.get(e.tenant_id) ?? -Infinity)) {
      this.maxEventTime.set(e.tenant_id, t);
      this.advance(e.tenant_id, windows);
    }
  }

  /** Emits a tenant's windows its watermark has passed; forgets those past the allowed lateness. */
  private advance(tenant: string, windows: Map<string, State>): void {
    const wm = this.watermark(tenant);
    for (const [id, st] of windows) {
      if (!st.emitted && st.end <= wm) { st.emitted = true; this.opts.emit(snapshot(st.w)); }
      if (st.end + this.allowedLatenessMs <= wm) windows.delete(id);
    }
  }

  /** Emits every window not yet emitted (end of input). */
  flush(): void {
    for (const m of this.windows.values()) for (const st of m.values()) if (!st.emitted) { st.emitted = true; this.opts.emit(snapshot(st.w)); }
  }

  /**
   * The smallest source position still held by a window, per partition: a consumer commits below it, so
   * a restart replays every event of every window it still holds and rebuilds them whole.
   */
  heldPositions(): Map<number, bigint> {
    const out = new Map<number, bigint>();
    for (const m of this.windows.values()) for (const st of m.values()) {
      for (const [p, o] of st.minPosition) {
        const m = out.get(p);
        if (m === undefined || o < m) out.set(p, o);
      }
    }
    return out;
  }
}

function empty(scope: 'tenant' | 'deployment', key: string, tenant: string, start: number, end: number): Mutable<CostWindow> {
  return {
    schema_version: COST_WINDOW_SCHEMA_VERSION, scope, key, tenant_id: tenant,
    window_start: new Date(start).toISOString(), window_end: new Date(end).toISOString(),
    spend_usd_micros: 0, calls: 0, tokens: { input: 0, cached_input: 0, cache_write: 0, output: 0, reasoning: 0 }, gpu_seconds: 0, late_events: 0, revision: 0,
  };
}

function snapshot(w: Mutable<CostWindow>): CostWindow {
  return { ...w, tokens: { ...w.tokens } };
}
