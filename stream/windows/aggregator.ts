import type { TelemetryEvent } from '../contracts/telemetry.js';
import { COST_WINDOW_SCHEMA_VERSION, type CostWindow } from './contract.js';
import type { RestorableState, TenantClockState, WindowChanges, WindowState, WindowStats } from './state.js';

export interface WindowOptions {
  /** Tumbling window size (event time). */
  readonly sizeMs?: number;
  /** How far behind the newest event the watermark trails: events this much out of order are on time. */
  readonly outOfOrdernessMs?: number;
  /** After the watermark passes a window's end, late events still update it (a new revision) this long. */
  readonly allowedLatenessMs?: number;
  /**
   * Caught-up time after which a source (a tenant on one partition) that sent nothing stops holding the
   * tenant's watermark back: its windows close (a later event for them is late), and from then on event
   * time runs on with the idle time, so a quiet tenant's windows close and are forgotten without a later
   * event from it. 0 turns this off.
   */
  readonly idleTimeoutMs?: number;
  readonly emit: (w: CostWindow) => void;
}

export interface EventPosition {
  readonly partition: number;
  readonly offset: bigint;
}

interface Held {
  readonly id: string;
  readonly tenant: string;
  readonly w: Mutable<CostWindow>;
  readonly end: number;
  readonly ids: Set<string>;
  emitted: boolean;
  /** Smallest source position (e.g. Kafka offset) per partition of the events in this window. */
  readonly minPosition: Map<number, bigint>;
}

interface Clock {
  maxTime: number;
  /** The partition's idle clock when this tenant last sent an event on it. */
  lastActive: number;
}

interface Tenant {
  watermark: number;
  readonly clocks: Map<number, Clock>;
  readonly windows: Map<string, Held>;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };

const SCOPES = ['tenant', 'deployment'] as const;

/**
 * 10-second tumbling cost windows in event time, per tenant and per deployment. Each tenant has its own
 * watermark: the smallest of its newest event times over the partitions it arrives on (so a backlog read
 * faster on one partition never makes another partition's events late), minus the out-of-orderness bound;
 * one tenant's clock never closes another's windows. A window is emitted (revision 0) when the watermark
 * passes its end, updated (revision + 1) by late events within the allowed lateness, and forgotten after
 * that. An event id is counted once per window.
 *
 * The state is restorable: `takeChanges()` lists what changed since it was last called (windows, tenant
 * clocks, forgotten windows), `restore()` loads it back, and `rebuild()` re-adds only the event ids of
 * replayed events, so a restarted job continues exactly where the recorded state left off.
 */
export class CostWindowAggregator {
  readonly sizeMs: number;
  readonly outOfOrdernessMs: number;
  readonly allowedLatenessMs: number;
  readonly idleTimeoutMs: number;
  private readonly tenants = new Map<string, Tenant>();
  /** Per partition: caught-up time, advanced by the caller (`idle()`). */
  private readonly idleClock = new Map<number, number>();
  /** Newest event time read per partition, over all tenants. */
  private readonly partitionTime = new Map<number, number>();
  private readonly dirtyPartitions = new Set<number>();
  /** Partitions with records not read yet: they may still hold any tenant's events. */
  private lagging: ReadonlySet<number> = new Set();
  private readonly s = { events: 0, duplicates: 0, late: 0, tooLate: 0, emitted: 0 };
  private readonly dirtyWindows = new Set<Held>();
  private readonly dirtyTenants = new Set<string>();
  private forgotten: { tenant: string; id: string }[] = [];

  constructor(private readonly opts: WindowOptions) {
    this.sizeMs = opts.sizeMs ?? 10_000;
    this.outOfOrdernessMs = opts.outOfOrdernessMs ?? 2_000;
    this.allowedLatenessMs = opts.allowedLatenessMs ?? 30_000;
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 0;
  }

  watermark(tenant: string): number {
    return this.tenants.get(tenant)?.watermark ?? -Infinity;
  }

  stats(): WindowStats {
    let open = 0;
    for (const t of this.tenants.values()) open += t.windows.size;
    return { ...this.s, openWindows: open };
  }

  add(e: TelemetryEvent, position?: EventPosition): void {
    const t = Date.parse(e.event_time);
    const start = Math.floor(t / this.sizeMs) * this.sizeMs;
    const end = start + this.sizeMs;
    const tenant = this.tenant(e.tenant_id);
    const partition = position?.partition ?? 0;
    if (t > (this.partitionTime.get(partition) ?? -Infinity)) {
      this.partitionTime.set(partition, t);
      this.dirtyPartitions.add(partition);
    }
    const late = end <= tenant.watermark;
    if (end + this.allowedLatenessMs <= tenant.watermark) {
      this.s.tooLate++;
      this.touch(tenant, e.tenant_id, partition, t);
      return;
    }
    let counted = false;
    for (const scope of SCOPES) {
      const key = scope === 'tenant' ? e.tenant_id : e.deployment_id;
      if (!key) continue;
      const id = windowId(scope, key, start);
      let st = tenant.windows.get(id);
      if (!st) {
        st = {
          id,
          tenant: e.tenant_id,
          w: empty(scope, key, e.tenant_id, start, end),
          end,
          ids: new Set(),
          emitted: false,
          minPosition: new Map(),
        };
        tenant.windows.set(id, st);
      }
      if (st.ids.has(e.event_id)) {
        if (!counted) {
          this.s.duplicates++;
          counted = true;
        }
        continue;
      }
      st.ids.add(e.event_id);
      if (position) {
        const m = st.minPosition.get(position.partition);
        if (m === undefined || position.offset < m) st.minPosition.set(position.partition, position.offset);
      }
      addEvent(st.w, e);
      this.dirtyWindows.add(st);
      if (late) {
        st.w.late_events++;
        if (st.emitted) {
          st.w.revision++;
          this.emit(st);
        }
      }
      if (!counted) {
        this.s.events++;
        if (late) this.s.late++;
        counted = true;
      }
    }
    this.touch(tenant, e.tenant_id, partition, t);
  }

  /**
   * A replayed event the recorded state already counted: only its id goes back into the windows that are
   * still held, so that a later duplicate of it is recognised. Nothing is summed or emitted.
   */
  rebuild(e: TelemetryEvent): void {
    const tenant = this.tenants.get(e.tenant_id);
    if (!tenant) return;
    const start = Math.floor(Date.parse(e.event_time) / this.sizeMs) * this.sizeMs;
    for (const scope of SCOPES) {
      const key = scope === 'tenant' ? e.tenant_id : e.deployment_id;
      if (key) tenant.windows.get(windowId(scope, key, start))?.ids.add(e.event_id);
    }
  }

  /**
   * Advances partition `partition`'s idle clock by `ms` of time in which it was read to its end; sources
   * on it quiet for longer than the idle timeout stop holding their tenants' watermarks back.
   */
  idle(partition: number, ms: number): void {
    if (this.idleTimeoutMs <= 0 || ms <= 0) return;
    this.idleClock.set(partition, (this.idleClock.get(partition) ?? 0) + ms);
    for (const [name, tenant] of this.tenants) {
      if (tenant.clocks.has(partition)) this.advance(name, tenant);
    }
  }

  /**
   * The partitions that still have records to read. Until one is read to its end, no tenant's watermark
   * passes that partition's newest event time: its unread records may hold any tenant's events (a tenant
   * keyed by deployment spreads over partitions, and a backlog is read one partition batch at a time).
   */
  setLagging(partitions: ReadonlySet<number>): void {
    const released = [...this.lagging].some((p) => !partitions.has(p));
    this.lagging = partitions;
    if (released) for (const [name, tenant] of this.tenants) this.advance(name, tenant);
  }

  /** Emits every window not yet emitted (end of input). */
  flush(): void {
    for (const t of this.tenants.values())
      for (const st of t.windows.values())
        if (!st.emitted) {
          st.emitted = true;
          this.emit(st);
        }
  }

  /**
   * The smallest source position still held by a window, per partition: a consumer commits below it, so
   * a restart replays every event of every window it still holds.
   */
  heldPositions(): Map<number, bigint> {
    const out = new Map<number, bigint>();
    for (const t of this.tenants.values())
      for (const st of t.windows.values()) {
        for (const [p, o] of st.minPosition) {
          const m = out.get(p);
          if (m === undefined || o < m) out.set(p, o);
        }
      }
    return out;
  }

  /** What changed since the last call: the state to record, so that a restart finds it. */
  takeChanges(): WindowChanges {
    const windows = [...this.dirtyWindows].map((st) => exportWindow(st));
    const tenants: TenantClockState[] = [];
    for (const name of this.dirtyTenants) {
      const t = this.tenants.get(name)!;
      tenants.push({ tenant: name, watermark: t.watermark, clocks: [...t.clocks].map(([p, c]) => [p, c.maxTime]) });
    }
    const partitions = [...this.dirtyPartitions].map((p) => [p, this.partitionTime.get(p)!] as const);
    const forgotten = this.forgotten;
    this.dirtyWindows.clear();
    this.dirtyTenants.clear();
    this.dirtyPartitions.clear();
    this.forgotten = [];
    return { windows, tenants, partitions, forgotten, stats: this.stats() };
  }

  /** Loads recorded state (into an empty aggregator). Windows come back without their event ids: see `rebuild()`. */
  restore(state: RestorableState): void {
    for (const [p, time] of state.partitionTimes ?? []) this.partitionTime.set(p, time);
    for (const c of state.tenants) {
      const t = this.tenant(c.tenant);
      t.watermark = c.watermark ?? -Infinity;
      for (const [p, maxTime] of c.clocks) t.clocks.set(p, { maxTime, lastActive: 0 });
    }
    for (const ws of state.windows) {
      const t = this.tenant(ws.tenant);
      const w = { ...ws.window, tokens: { ...ws.window.tokens } } as Mutable<CostWindow>;
      const minPosition = new Map(ws.minPosition.map(([p, o]) => [p, BigInt(o)] as const));
      t.windows.set(ws.id, {
        id: ws.id,
        tenant: ws.tenant,
        w,
        end: Date.parse(w.window_end),
        ids: new Set(),
        emitted: ws.emitted,
        minPosition,
      });
    }
    for (const k of ['events', 'duplicates', 'late', 'tooLate', 'emitted'] as const) this.s[k] = state.stats?.[k] ?? 0;
  }

  private tenant(name: string): Tenant {
    let t = this.tenants.get(name);
    if (!t) this.tenants.set(name, (t = { watermark: -Infinity, clocks: new Map(), windows: new Map() }));
    return t;
  }

  private touch(tenant: Tenant, name: string, partition: number, t: number): void {
    const clock = tenant.clocks.get(partition);
    const now = this.idleClock.get(partition) ?? 0;
    if (!clock) tenant.clocks.set(partition, { maxTime: t, lastActive: now });
    else {
      clock.lastActive = now;
      if (t <= clock.maxTime) return;
      clock.maxTime = t;
    }
    this.dirtyTenants.add(name);
    this.advance(name, tenant);
  }

  /** Moves the tenant's watermark; emits the windows it passed and forgets those past the allowed lateness. */
  private advance(name: string, tenant: Tenant): void {
    let low = Infinity;
    for (const p of this.lagging) low = Math.min(low, this.partitionTime.get(p) ?? -Infinity);
    for (const [p, c] of tenant.clocks) {
      const quiet = (this.idleClock.get(p) ?? 0) - c.lastActive;
      // Quiet past the timeout: every window of its events closes now, and event time runs on with idle time.
      const idle = this.idleTimeoutMs > 0 && quiet >= this.idleTimeoutMs;
      low = Math.min(
        low,
        idle ? c.maxTime + this.sizeMs + this.outOfOrdernessMs + quiet - this.idleTimeoutMs : c.maxTime,
      );
    }
    const wm = low - this.outOfOrdernessMs;
    if (!(wm > tenant.watermark)) return;
    tenant.watermark = wm;
    this.dirtyTenants.add(name);
    for (const [id, st] of tenant.windows) {
      if (!st.emitted && st.end <= wm) {
        st.emitted = true;
        this.dirtyWindows.add(st);
        this.emit(st);
      }
      if (st.end + this.allowedLatenessMs <= wm) {
        tenant.windows.delete(id);
        this.dirtyWindows.delete(st);
        this.forgotten.push({ tenant: name, id });
      }
    }
  }

  private emit(st: Held): void {
    this.s.emitted++;
    this.opts.emit(snapshot(st.w));
  }
}

const windowId = (scope: string, key: string, start: number) => `${scope}/${key}/${start}`;

function addEvent(w: Mutable<CostWindow>, e: TelemetryEvent): void {
  w.spend_usd_micros += e.cost_usd_micros;
  w.calls++;
  w.tokens.input += e.tokens?.input ?? 0;
  w.tokens.cached_input += e.tokens?.cached_input ?? 0;
  w.tokens.cache_write += e.tokens?.cache_write ?? 0;
  w.tokens.output += e.tokens?.output ?? 0;
  w.tokens.reasoning += e.tokens?.reasoning ?? 0;
  w.gpu_seconds += e.gpu ? e.gpu.seconds * e.gpu.count : 0;
}

function exportWindow(st: Held): WindowState {
  return {
    id: st.id,
    tenant: st.tenant,
    window: snapshot(st.w),
    emitted: st.emitted,
    minPosition: [...st.minPosition].map(([p, o]) => [p, o.toString()]),
  };
}

function empty(
  scope: 'tenant' | 'deployment',
  key: string,
  tenant: string,
  start: number,
  end: number,
): Mutable<CostWindow> {
  return {
    schema_version: COST_WINDOW_SCHEMA_VERSION,
    scope,
    key,
    tenant_id: tenant,
    window_start: new Date(start).toISOString(),
    window_end: new Date(end).toISOString(),
    spend_usd_micros: 0,
    calls: 0,
    tokens: { input: 0, cached_input: 0, cache_write: 0, output: 0, reasoning: 0 },
    gpu_seconds: 0,
    late_events: 0,
    revision: 0,
  };
}

function snapshot(w: Mutable<CostWindow>): CostWindow {
  return { ...w, tokens: { ...w.tokens } };
}
