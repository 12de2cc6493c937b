import { microsToUsd } from '../../../pricing/index.js';
import { CostWindowAggregator, type CostWindow, type TelemetryEvent } from '../../../stream/index.js';
import type { SpendWindowView } from './schemas.js';
import { SpendTally } from './spend-tally.js';

export interface SpendBookOptions {
  readonly clock: () => number;
  /** How much of the 10-second window series is kept per tenant and deployment (default one hour). */
  readonly windowHistoryMs?: number;
  /** A tenant quiet this long has its open window closed (default 3 s). */
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
 * hour (the stream's own aggregator, open windows included) and spend by day, model, provider and deployment since
 * the process started. In memory and per replica; the ledger stays the record of what was charged.
 */
export class SpendBook {
  readonly since: number;
  private readonly agg: CostWindowAggregator;
  private readonly tenants = new Map<string, TenantBook>();
  private readonly historyMs: number;
  private readonly timer: NodeJS.Timeout;
  private prunedAt = -Infinity;

  constructor(private readonly opts: SpendBookOptions) {
    this.since = opts.clock();
    this.historyMs = opts.windowHistoryMs ?? 3_600_000;
    this.agg = new CostWindowAggregator({ idleTimeoutMs: opts.idleTimeoutMs ?? 3_000, emit: () => {} });
    const tick = opts.tickMs ?? 1_000;
    this.timer = setInterval(() => { this.agg.idle(0, tick); this.drain(); }, tick);
    this.timer.unref();
  }

  get windowSeconds(): number {
    return this.agg.sizeMs / 1000;
  }

  /** A charged telemetry event; an id seen before for its tenant is not counted again. */
  record(event: TelemetryEvent): void {
    const id = this.tenants.has(event.tenant_id) || this.tenants.size < MAX_BOOKS ? event.tenant_id : event.tenant_id.split('/')[0];
    const e = id === event.tenant_id ? event : { ...event, tenant_id: id };
    const t = this.book(id);
    if (t.seen.has(e.event_id)) return;
    t.seen.add(e.event_id);
    if (t.seen.size > MAX_SEEN_IDS) t.seen.delete(t.seen.values().next().value!);
    t.tally.add({
      at: Date.parse(e.event_time), micros: e.cost_usd_micros, model: e.model, provider: e.provider, deployment: e.deployment_id,
      tokens: e.tokens, gpuSeconds: e.gpu ? e.gpu.seconds * e.gpu.count : 0,
    });
    this.agg.add(e);
  }

  tenantIds(): string[] {
    return [...this.tenants.keys()];
  }

  tenant(id: string): { metered: ReturnType<SpendTally['view']>; windows: SpendWindowView[] } | undefined {
    this.drain();
    const t = this.tenants.get(id);
    if (!t) return undefined;
    const windows = [...t.windows.values()].sort((a, b) => a.window_start.localeCompare(b.window_start) || a.key.localeCompare(b.key));
    return { metered: t.tally.view(), windows };
  }

  close(): void {
    clearInterval(this.timer);
  }

  private book(id: string): TenantBook {
    let t = this.tenants.get(id);
    if (!t) this.tenants.set(id, (t = { tally: new SpendTally(), seen: new Set(), windows: new Map() }));
    return t;
  }

  /** Takes the windows the aggregator changed and (at most once a second) forgets those older than the history kept. */
  private drain(): void {
    for (const ws of this.agg.takeChanges().windows) this.book(ws.tenant).windows.set(ws.id, windowView(ws.window, ws.emitted));
    const now = this.opts.clock();
    if (now - this.prunedAt < PRUNE_EVERY_MS) return;
    this.prunedAt = now;
    const oldest = new Date(now - this.historyMs).toISOString();
    for (const t of this.tenants.values()) {
      for (const [id, w] of t.windows) if (w.window_end < oldest) t.windows.delete(id);
    }
  }
}
