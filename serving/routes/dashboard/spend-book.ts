import { microsToUsd } from '../../../pricing/index.js';
import { liveCostWindows, type CostWindow, type CostWindowSource, type LiveWindows, type TelemetryEvent } from '../../../stream/index.js';
import type { SpendWindowView } from './schemas.js';
import { SpendTally } from './spend-tally.js';

export interface SpendBookOptions {
  readonly clock: () => number;
  /** How much of the 10-second window series is kept per tenant and deployment (default one hour). */
  readonly windowHistoryMs?: number;
  /**
   * Where the windows come from: `lut.cost-windows` as the Kafka or Flink job wrote it (a reader of the topic).
   * By default the book windows what it records itself, open windows included, closed after `idleTimeoutMs` of quiet.
   */
  readonly windows?: CostWindowSource;
  readonly idleTimeoutMs?: number;
  readonly tickMs?: number;
}

interface TenantBook {
  readonly tally: SpendTally;
  /** Event ids counted, newest last; bounded (the ledger keeps the durable de-duplication). */
  readonly seen: Set<string>;
  readonly windows: Map<string, SpendWindowView>;
}

const MAX_SEEN_IDS = 50_000;
/**
 * Books kept at most: scopes are made up by whoever reports (`acme/<anything>`), so past this a new scope's spend
 * is shown in its tenant's book (the first segment of its id) instead of a book of its own.
 */
const MAX_BOOKS = 10_000;
/** Old windows are forgotten at most this often (a sweep walks every book). */
const PRUNE_EVERY_MS = 1_000;

function windowView(w: CostWindow, closed: boolean): SpendWindowView {
  return {
    scope: w.scope, key: w.key, window_start: w.window_start, window_end: w.window_end, spend_micros: w.spend_usd_micros,
    spend_usd: microsToUsd(w.spend_usd_micros), calls: w.calls, tokens: { ...w.tokens }, gpu_seconds: w.gpu_seconds, closed,
  };
}

/**
 * What this server charged from telemetry, for the dashboard: per tenant, the 10-second cost windows of the last
 * hour (open windows included when the book windows the spend itself; those of the stream's job when it reads
 * them from `lut.cost-windows`) and spend by day, model, provider and deployment since the process started.
 * In memory and per replica; the ledger stays the record of what was charged.
 */
export class SpendBook {
  readonly since: number;
  private readonly live?: LiveWindows;
  private readonly unsubscribe: () => void;
  private readonly tenants = new Map<string, TenantBook>();
  private readonly historyMs: number;
  /** How many windows held are of each size: engines may be run with another `--window`, even during a switch. */
  private readonly sizes = new Map<number, number>();
  private prunedAt = -Infinity;

  constructor(private readonly opts: SpendBookOptions) {
    this.since = opts.clock();
    this.historyMs = opts.windowHistoryMs ?? 3_600_000;
    if (!opts.windows) this.live = liveCostWindows({ idleTimeoutMs: opts.idleTimeoutMs, tickMs: opts.tickMs });
    this.unsubscribe = (opts.windows ?? this.live!).on((w, closed) => this.window(w, closed));
  }

  /** The size most windows held have (10 s when none are held); windows of another size are not shown. */
  get windowSeconds(): number {
    return this.windowMs() / 1000;
  }

  private windowMs(): number {
    let best = 10_000, most = 0;
    for (const [size, n] of this.sizes) if (n > most) [best, most] = [size, n];
    return best;
  }

  /** A charged telemetry event; an id seen before for its tenant is not counted again. */
  record(event: TelemetryEvent): void {
    const id = this.bookId(event.tenant_id);
    const e = id === event.tenant_id ? event : { ...event, tenant_id: id };
    const t = this.book(id);
    if (t.seen.has(e.event_id)) return;
    t.seen.add(e.event_id);
    if (t.seen.size > MAX_SEEN_IDS) t.seen.delete(t.seen.values().next().value!);
    t.tally.add({
      at: Date.parse(e.event_time), micros: e.cost_usd_micros, model: e.model, provider: e.provider, deployment: e.deployment_id,
      tokens: e.tokens, gpuSeconds: e.gpu ? e.gpu.seconds * e.gpu.count : 0,
    });
    this.live?.add(e);
  }

  tenantIds(): string[] {
    return [...this.tenants.keys()];
  }

  tenant(id: string): { metered: ReturnType<SpendTally['view']>; windows: SpendWindowView[] } | undefined {
    this.live?.flush();
    this.prune();
    const t = this.tenants.get(id);
    if (!t) return undefined;
    const size = this.windowMs();
    const windows = [...t.windows.values()].filter((w) => Date.parse(w.window_end) - Date.parse(w.window_start) === size).sort((a, b) => a.window_start.localeCompare(b.window_start) || a.key.localeCompare(b.key));
    return { metered: t.tally.view(), windows };
  }

  close(): void {
    this.unsubscribe();
    void this.live?.close();
  }

  /** A scope's own book while there is room for one; past that, its tenant's (the first segment of its id). */
  private bookId(scope: string): string {
    return this.tenants.has(scope) || this.tenants.size < MAX_BOOKS ? scope : scope.split('/')[0];
  }

  private book(id: string): TenantBook {
    let t = this.tenants.get(id);
    if (!t) this.tenants.set(id, (t = { tally: new SpendTally(), seen: new Set(), windows: new Map() }));
    return t;
  }

  /**
   * A window as its source changed it: it replaces the one of its key (its scope's id and its end included: two
   * scopes in one book may report the same deployment id, two engines may window by different sizes). A deployment's scope
   * (`acme/deployment:ID`) is shown in its tenant's book, as the ticks the server records itself are.
   */
  private window(w: CostWindow, closed: boolean): void {
    const windows = this.book(this.bookId(w.tenant_id.split('/deployment:')[0])).windows;
    const key = `${w.tenant_id}|${w.scope}/${w.key}/${w.window_start}/${w.window_end}`;
    if (!windows.has(key)) this.counted(w, 1);
    windows.set(key, windowView(w, closed));
    this.prune();
  }

  private counted(w: { window_start: string; window_end: string }, by: number): void {
    const size = Date.parse(w.window_end) - Date.parse(w.window_start);
    const n = (this.sizes.get(size) ?? 0) + by;
    if (n > 0) this.sizes.set(size, n);
    else this.sizes.delete(size);
  }

  /** At most once a second: forgets the windows older than the history kept. */
  private prune(): void {
    const now = this.opts.clock();
    if (now - this.prunedAt < PRUNE_EVERY_MS) return;
    this.prunedAt = now;
    const oldest = new Date(now - this.historyMs).toISOString();
    for (const t of this.tenants.values()) {
      for (const [id, w] of t.windows) {
        if (w.window_end >= oldest) continue;
        t.windows.delete(id);
        this.counted(w, -1);
      }
    }
  }
}
