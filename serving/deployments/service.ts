import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { microsToUsd, type Catalog } from '../../pricing/index.js';
import { liveCostWindows, TOPICS, type CostWindow, type CostWindowSource, type LiveWindows, type TelemetryEvent, type Transport } from '../../stream/index.js';
import { isServerScope, LedgerError, type Ledger, type Reservation } from '../ledger/index.js';
import type { Predictor } from '../predictor.js';
import { GpuMeter } from './meter.js';
import { decideDeployment, type DeployAlternative, type DeployPrediction } from './preflight.js';
import { DeploymentStore } from './store.js';
import { TERMINAL, type DeploymentSpec, type DeploymentState, type Runtime, type RuntimeHandle, type RuntimeName } from './types.js';
import type { DeploymentView } from './view.js';

export interface DeploymentOptions {
  /** How often running deployments are metered and charged (default 1 s). */
  readonly tickMs?: number;
  /** SIGTERM (or a graceful delete) before SIGKILL (default 10 s). */
  readonly graceMs?: number;
  /** How long a server may take to answer its health check (default 10 min: large models load slowly). */
  readonly healthTimeoutMs?: number;
  /** A deployment's reservation is renewed while it runs; it lapses this long after a server that vanished. */
  readonly reservationTtlMs?: number;
  /** Where deployments are kept (one JSON file each); memory only when absent. */
  readonly dir?: string;
  readonly runtimes?: Partial<Record<RuntimeName, Runtime>>;
  /** GPU-time ticks are also published here as `lut.telemetry` (Kafka, the embedded bus). */
  readonly transport?: Transport;
  /**
   * Where the deployments' cost windows come from: `lut.cost-windows` as the Kafka or Flink job wrote it from
   * the ticks published on `transport`. By default the service windows its own ticks (open windows included).
   */
  readonly windows?: CostWindowSource;
}

export type DeploymentEvent =
  | { readonly type: 'state'; readonly deployment: DeploymentView }
  | { readonly type: 'tick'; readonly deployment: DeploymentView; readonly delta_micros: number; readonly at: string }
  | { readonly type: 'window'; readonly tenant_id: string; readonly window: CostWindow; readonly closed: boolean };

export type CreateResult =
  | { readonly decision: 'allow'; readonly deployment: DeploymentView }
  | { readonly decision: 'deny'; readonly reason: string; readonly prediction: DeployPrediction; readonly alternatives: DeployAlternative[] };

interface Live {
  readonly spec: DeploymentSpec;
  readonly view: DeploymentView;
  readonly reservation: Reservation;
  readonly abort: AbortController;
  starting?: Promise<RuntimeHandle | undefined>;
  handle?: RuntimeHandle;
  meter?: GpuMeter;
  timer?: NodeJS.Timeout;
  /** Fires at the instant the budget or the max duration is reached, whatever the tick's phase. */
  deadline?: NodeJS.Timeout;
  stopping?: Promise<void>;
  lastExtend: number;
  ticking: Promise<void>;
}

const DEFAULTS = { tickMs: 1000, graceMs: 10_000, healthTimeoutMs: 600_000, reservationTtlMs: 300_000 };

export const scopeOf = (tenant: string, id: string) => `${tenant}/deployment:${id}`;

/**
 * Runs model servers under a budget: pre-flight, a reservation held in the deployment's own budget scope
 * (`tenant/deployment:ID`, counted against the tenant's budgets), start through a runtime, a health wait, GPU time
 * metered each tick and charged to the ledger as telemetry drawing the reservation down, the strategy applied when
 * the next tick would cross the budget or the max duration is reached, and on every end (kill, crash, health
 * timeout, shutdown) the reservation settled to the cost metered until the server was gone.
 */
export class DeploymentService {
  private readonly o: typeof DEFAULTS & DeploymentOptions;
  private readonly live = new Map<string, Live>();
  private readonly store: DeploymentStore;
  private readonly events = new EventEmitter();
  private readonly ownWindows?: LiveWindows;
  private readonly unsubscribe: () => void;
  /** The last hour's windows of deployment scopes, for a dashboard that connects late. */
  private readonly recentWindows = new Map<string, { tenant_id: string; window: CostWindow; closed: boolean }>();

  constructor(
    private readonly deps: {
      ledger: Ledger; catalog: Catalog; predictor: Predictor; clock: () => number; log: { warn(o: object, m: string): void; error(o: object, m: string): void };
      /** Each tick's charge, as the telemetry event it is, with the tenant the deployment belongs to. */
      onCharged?: (tenant: string, e: TelemetryEvent) => void;
    },
    opts: DeploymentOptions = {},
  ) {
    this.o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) };
    this.store = new DeploymentStore(opts.dir);
    this.events.setMaxListeners(0);
    // A deployment that stopped sends no more ticks: after 3 s of quiet its windows close.
    if (!opts.windows) this.ownWindows = liveCostWindows({ idleTimeoutMs: 3_000 });
    this.unsubscribe = (opts.windows ?? this.ownWindows!).on((w, closed) => this.window(w, closed));
  }

  private runtimeNames(): RuntimeName[] {
    return Object.keys(this.o.runtimes ?? {}) as RuntimeName[];
  }

  subscribe(listener: (e: DeploymentEvent) => void): () => void {
    this.events.on('event', listener);
    return () => this.events.off('event', listener);
  }

  list(): DeploymentView[] {
    return this.store.all();
  }

  get(id: string): DeploymentView | undefined {
    return this.store.get(id);
  }

  recent(): { tenant_id: string; window: CostWindow; closed: boolean }[] {
    this.forgetOld();
    return [...this.recentWindows.values()];
  }

  /** The pre-flight, then (when it allows) the reservation, the start and the metering. Resolves once started. */
  async create(input: Omit<DeploymentSpec, 'id'>): Promise<CreateResult> {
    const id = `d-${randomUUID().slice(0, 8)}`;
    const spec: DeploymentSpec = { ...input, id };
    const runtime = this.o.runtimes?.[spec.runtime];
    if (!runtime) throw new DeployInputError(`runtime '${spec.runtime}' is not available here (have: ${this.runtimeNames().join(', ') || 'none'})`, '/runtime');
    const chain = await this.deps.ledger.chainStatus(spec.tenant_id).catch((err) => {
      // A tenant without a budget of its own: the deployment's budget is its only bound.
      if (err instanceof LedgerError && err.code === 'BUDGET_NOT_FOUND') return [];
      throw err;
    });
    const remaining = Math.min(...chain.map((l) => l.remaining_micros));
    const overrides = chain.find((l) => l.budget.price_overrides)?.budget.price_overrides;
    const d = decideDeployment({ spec, remainingMicros: remaining, overrides, catalog: this.deps.catalog, predictor: this.deps.predictor });
    if (!d.allow) return this.deny(spec, d.reason, d.prediction, d.alternatives);
    const scope = scopeOf(spec.tenant_id, id);
    await this.deps.ledger.create({ tenant_id: scope, limit_micros: d.prediction.hold_micros, window: 'total' });
    const reservation = await this.deps.ledger.reserve(scope, d.prediction.hold_micros, { ttlMs: this.o.reservationTtlMs, runId: id });
    if (!reservation) {
      const now = (await this.deps.ledger.chainStatus(spec.tenant_id)).map((l) => l.remaining_micros);
      return this.deny(spec, `the hold of $${d.prediction.hold_usd.toFixed(6)} no longer fits: $${microsToUsd(Math.max(0, Math.min(...now))).toFixed(6)} remains`, d.prediction, []);
    }
    const now = new Date(this.deps.clock()).toISOString();
    const view: DeploymentView = {
      id, tenant_id: spec.tenant_id, scope, model: spec.model, gpu_type: this.deps.catalog.gpus.get(spec.gpu_type).id, gpu_count: spec.gpu_count,
      runtime: spec.runtime, strategy: spec.strategy, framework: spec.framework,
      budget_usd: spec.budget_micros === undefined ? null : microsToUsd(spec.budget_micros),
      max_duration_s: spec.max_duration_ms === undefined ? null : spec.max_duration_ms / 1000, workload: spec.workload ?? null,
      state: 'starting', reason: null, stopped_by: null, message: null, endpoint: null, created_at: now, started_at: null, ready_at: null,
      ended_at: null, prediction: d.prediction, reservation_id: reservation.id, spent_micros: 0, spent_usd: 0, gpu_seconds: 0, ticks: 0,
      metered_until: null, warned: false, stop: null, exit: null, settled: null, pgid: null, namespace: null,
    };
    const live: Live = { spec, view, reservation, abort: new AbortController(), lastExtend: this.deps.clock(), ticking: Promise.resolve() };
    this.live.set(id, live);
    this.changed(live);
    await this.start(live, runtime);
    return { decision: 'allow', deployment: { ...live.view } };
  }

  /** Stops a deployment for a person's reason; resolves once it is gone and its spend settled. */
  async kill(id: string, reason: string): Promise<DeploymentView | undefined> {
    const live = this.live.get(id);
    if (!live) return this.store.get(id);
    await this.stop(live, 'killed', reason, 'user');
    return { ...live.view };
  }

  /**
   * Deployments a previous server process left unfinished (it crashed): whatever still runs is stopped, the time it
   * ran unmetered since the last tick is charged, and the reservation settles. Call once at start.
   */
  async recover(): Promise<DeploymentView[]> {
    const out: DeploymentView[] = [];
    for (const v of this.store.all()) {
      if (TERMINAL.has(v.state) || this.live.has(v.id)) continue;
      const runtime = this.o.runtimes?.[v.runtime];
      const running = runtime ? await runtime.reclaim({ id: v.id, pgid: v.pgid, namespace: v.namespace ?? null }).catch(() => false) : false;
      const now = this.deps.clock();
      const from = Date.parse(v.metered_until ?? v.started_at ?? v.created_at);
      if (running && v.started_at) {
        const meter = new GpuMeter(Date.parse(v.started_at), v.gpu_count, v.prediction.micros_per_gpu_hour);
        const total = meter.costAt(now);
        const extra = total - v.spent_micros;
        if (extra > 0) {
          await this.deps.ledger.charge(v.scope, [{ id: `${v.id}:recovered`, micros: extra, at: now, lease: v.reservation_id }]);
          v.spent_micros = total;
          v.spent_usd = microsToUsd(total);
          v.gpu_seconds = ((now - Date.parse(v.started_at)) * v.gpu_count) / 1000;
          v.metered_until = new Date(now).toISOString();
        }
      }
      await this.deps.ledger.settle(v.scope, v.reservation_id, v.spent_micros).catch((err) => {
        if (!(err instanceof LedgerError && err.code === 'RESERVATION_SETTLED')) throw err;
      });
      Object.assign(v, {
        state: 'failed', reason: 'orphaned', stopped_by: 'server', ended_at: new Date(running ? now : from).toISOString(),
        message: running ? 'the Lutflow server stopped while this ran: stopped at restart, the unmetered time charged' : 'the Lutflow server stopped while this ran; it was gone at restart',
        settled: { micros: v.spent_micros, usd: v.spent_usd, at: new Date(now).toISOString() },
      } satisfies Partial<DeploymentView>);
      this.store.save(v);
      out.push(v);
    }
    return out;
  }

  /** Stops everything still running (the server is shutting down), each settled. */
  async close(): Promise<void> {
    await Promise.all([...this.live.values()].map((l) => this.stop(l, 'killed', 'server_shutdown', 'server')));
    this.unsubscribe();
    await this.ownWindows?.close();
  }

  private async deny(spec: DeploymentSpec, reason: string, prediction: DeployPrediction, alternatives: DeployAlternative[]): Promise<CreateResult> {
    await this.deps.ledger.raise({
      tenant_id: spec.tenant_id, kind: 'deny', subject: 'deployment', message: `a deployment of ${spec.model} on ${spec.gpu_count} x ${spec.gpu_type} was refused: ${reason}`,
    }).catch((err) => this.deps.log.warn({ err }, 'deny alert not raised'));
    return { decision: 'deny', reason, prediction, alternatives };
  }

  private async start(live: Live, runtime: Runtime): Promise<void> {
    const { view } = live;
    const startedAt = this.deps.clock();
    live.meter = new GpuMeter(startedAt, live.spec.gpu_count, view.prediction.micros_per_gpu_hour);
    view.started_at = new Date(startedAt).toISOString();
    live.timer = setInterval(() => this.schedule(live, false), this.o.tickMs);
    this.armDeadline(live);
    live.starting = runtime.start(live.spec).then((h) => h, (err: Error) => {
      view.message = err.message;
      return undefined;
    });
    const handle = await live.starting;
    // A server that could not start at all is answered as such (failed, settled), not as one starting.
    if (!handle) return this.stop(live, 'failed', 'start_failed', 'runtime');
    live.handle = handle;
    view.endpoint = handle.endpoint ?? null;
    view.pgid = handle.pgid ?? null;
    view.namespace = handle.namespace ?? null;
    this.changed(live);
    void handle.exited.then((exit) => {
      if (live.stopping) return;
      view.exit = exit;
      view.message = `the server exited on its own (code ${exit.code}, signal ${exit.signal})`;
      void this.stop(live, 'failed', 'crashed', 'runtime');
    });
    void this.awaitHealthy(live, handle);
  }

  private async awaitHealthy(live: Live, handle: RuntimeHandle): Promise<void> {
    const timeout = AbortSignal.timeout(this.o.healthTimeoutMs);
    try {
      await handle.ready(AbortSignal.any([live.abort.signal, timeout]));
    } catch (err) {
      if (live.stopping) return;
      if (timeout.aborted) {
        live.view.message = `no healthy answer within ${this.o.healthTimeoutMs / 1000} s`;
        void this.stop(live, 'failed', 'health_timeout', 'runtime');
      } else {
        live.view.message = (err as Error).message;
        void this.stop(live, 'failed', 'crashed', 'runtime');
      }
      return;
    }
    if (live.stopping) return;
    live.view.state = 'running';
    live.view.ready_at = new Date(this.deps.clock()).toISOString();
    this.changed(live);
  }

  /**
   * The budget is crossed at a known instant (the price is fixed for the deployment's life): a timer acts then, so
   * the kill neither waits for the next tick nor comes a tick early. Each tick checks too, as the backstop for a
   * timer that fired late (a blocked event loop): then the spend passed the budget by at most that delay.
   */
  private armDeadline(live: Live): void {
    const { spec, meter } = live;
    if (!meter) return;
    const perMs = (meter.microsPerGpuHour * meter.gpuCount) / 3_600_000;
    const budgetAt = spec.budget_micros === undefined || perMs <= 0 ? Infinity : meter.lastWithin(spec.budget_micros);
    const durationAt = spec.max_duration_ms === undefined ? Infinity : meter.startedAt + spec.max_duration_ms;
    const at = Math.min(budgetAt, durationAt);
    if (!Number.isFinite(at)) return;
    const fire = () => {
      const now = this.deps.clock();
      if (now < at) { live.deadline = setTimeout(fire, at - now); return; }
      this.schedule(live, true);
    };
    live.deadline = setTimeout(fire, Math.max(0, at - this.deps.clock()));
  }

  /** Ticks run one after another; one that fails is logged and the next goes on (the settle covers its charge). */
  private schedule(live: Live, deadline: boolean): void {
    live.ticking = live.ticking
      .then(() => this.tick(live, false, deadline))
      .catch((err) => this.deps.log.error({ err, deployment: live.view.id }, 'deployment tick failed'));
  }

  /** Meters one tick: charges what is due, then applies the limits. */
  private async tick(live: Live, final = false, deadline = false): Promise<void> {
    const meter = live.meter;
    if (!meter) return;
    const at = this.deps.clock();
    const t = meter.tick(at);
    const { view, spec } = live;
    view.spent_micros = meter.charged;
    view.spent_usd = microsToUsd(meter.charged);
    view.gpu_seconds = meter.gpuSeconds;
    view.ticks = meter.ticks;
    view.metered_until = new Date(t.to).toISOString();
    if (t.micros > 0) await this.charge(live, t.seq, t.micros, t.to, t.seconds);
    this.persist(view);
    this.emit({ type: 'tick', deployment: { ...view }, delta_micros: t.micros, at: view.metered_until });
    if (final || live.stopping) return;
    if (at - live.lastExtend > this.o.reservationTtlMs / 3) {
      live.lastExtend = at;
      await this.deps.ledger.extend(view.scope, live.reservation.id, this.o.reservationTtlMs)
        .catch((err) => this.deps.log.warn({ err, deployment: view.id }, 'reservation not renewed'));
    }
    if (spec.max_duration_ms !== undefined && at - meter.startedAt >= spec.max_duration_ms) {
      void this.stop(live, 'killed', 'max_duration', 'meter');
    } else if (spec.budget_micros !== undefined && !view.warned && meter.charged + (deadline ? meter.nextCost(at, 1) : 0) > spec.budget_micros) {
      if (spec.strategy === 'warn') {
        view.warned = true;
        await this.alertKill(live, 'reached its budget; running on (strategy warn)');
        this.changed(live);
      } else {
        void this.stop(live, spec.strategy === 'kill' ? 'killed' : 'stopped', 'budget', 'meter');
      }
    }
  }

  /** One GPU-time tick as a `lut.telemetry` event: charged to the ledger under the reservation, published, windowed. */
  private async charge(live: Live, seq: number, micros: number, at: number, seconds: number): Promise<void> {
    const { view } = live;
    const e: TelemetryEvent = {
      schema_version: 1, event_id: `${view.id}:${seq}`, event_time: new Date(at).toISOString(), tenant_id: view.scope, deployment_id: view.id,
      run_id: view.id, lease_id: live.reservation.id, provider: 'self_hosted', model: view.model,
      gpu: { type: view.gpu_type, count: view.gpu_count, seconds }, cost_usd_micros: micros, outcome: 'ok',
    };
    try {
      await this.deps.ledger.charge(view.scope, [{ id: e.event_id, micros, at, lease: live.reservation.id }]);
    } catch (err) {
      // Not lost: the settle at the end charges whatever ticks did not bring.
      this.deps.log.warn({ err, deployment: view.id }, 'GPU-time tick not charged; the settle will');
    }
    this.o.transport?.publish(TOPICS.telemetry, view.scope, e);
    this.deps.onCharged?.(view.tenant_id, e);
    this.ownWindows?.add(e);
    this.ownWindows?.flush();
  }

  /** A window of a deployment scope that changed (a tick's spend, or closed): sent, and kept for an hour. */
  private window(w: CostWindow, closed: boolean): void {
    if (!isServerScope(w.tenant_id)) return;
    const v = { tenant_id: w.tenant_id, window: w, closed };
    this.recentWindows.set(`${w.tenant_id}|${w.scope}/${w.key}/${w.window_start}`, v);
    this.emit({ type: 'window', ...v });
    this.forgetOld();
  }

  private forgetOld(): void {
    const oldest = new Date(this.deps.clock() - 3_600_000).toISOString();
    for (const [k, r] of this.recentWindows) if (r.window.window_end < oldest) this.recentWindows.delete(k);
  }

  private async stop(live: Live, state: Exclude<DeploymentState, 'starting' | 'running' | 'stopping'>, reason: string, by: DeploymentView['stopped_by']): Promise<void> {
    if (live.stopping) return live.stopping;
    const { view } = live;
    const decided = this.deps.clock();
    view.state = 'stopping';
    view.reason = reason;
    view.stopped_by = by;
    view.stop = { decided_at: new Date(decided).toISOString() };
    live.abort.abort(new Error(`stopped: ${reason}`));
    this.changed(live);
    live.stopping = (async () => {
      const handle = live.handle ?? (await live.starting);
      const signalled = this.deps.clock();
      const res = handle ? await handle.stop({ graceMs: this.o.graceMs, mode: state === 'stopped' ? 'scale_to_zero' : 'delete' }) : undefined;
      const gone = this.deps.clock();
      clearInterval(live.timer);
      clearTimeout(live.deadline);
      await live.ticking;
      if (handle) await this.tick(live, true);
      view.stop = {
        decided_at: view.stop!.decided_at, signalled_at: new Date(signalled).toISOString(), gone_at: new Date(gone).toISOString(),
        latency_ms: gone - decided, forced: res?.forced ?? false,
      };
      if (res && !view.exit) view.exit = { code: res.code, signal: res.signal };
      await this.settle(live);
      view.state = state;
      view.ended_at = new Date(gone).toISOString();
      if (by === 'meter' || by === 'user') await this.alertKill(live, `was stopped (${reason}) after spending $${view.spent_usd.toFixed(6)}`);
      this.live.delete(view.id);
      this.changed(live);
    })();
    return live.stopping;
  }

  /** Replaces the reservation by the metered cost; retried while the ledger is away, never skipped. */
  private async settle(live: Live): Promise<void> {
    const { view } = live;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.deps.ledger.settle(view.scope, live.reservation.id, view.spent_micros);
        view.settled = { micros: view.spent_micros, usd: view.spent_usd, at: new Date(this.deps.clock()).toISOString() };
        return;
      } catch (err) {
        if (err instanceof LedgerError && err.code === 'RESERVATION_SETTLED') {
          // Only this service settles a deployment's scope: an earlier attempt landed though its answer was lost.
          this.deps.log.warn({ deployment: view.id }, 'deployment already settled by an earlier attempt');
          return;
        }
        if (!(err instanceof LedgerError && err.retriable) || attempt >= 20) {
          this.deps.log.error({ err, deployment: view.id }, 'deployment not settled');
          view.message = `${view.message ? `${view.message}; ` : ''}settle failed: ${(err as Error).message}`;
          return;
        }
        await new Promise((r) => setTimeout(r, Math.min(5000, 100 * 2 ** attempt)));
      }
    }
  }

  private async alertKill(live: Live, what: string): Promise<void> {
    const { view } = live;
    await this.deps.ledger.raise({
      tenant_id: view.tenant_id, kind: 'kill', subject: `deployment ${view.id}`,
      message: `deployment ${view.id} (${view.model} on ${view.gpu_count} x ${view.gpu_type}) ${what}`,
    }).catch((err) => this.deps.log.warn({ err, deployment: view.id }, 'kill alert not raised'));
  }

  private changed(live: Live): void {
    this.persist(live.view);
    this.emit({ type: 'state', deployment: { ...live.view } });
  }

  /** The record on disk is for reports and restarts; a failed write (a full disk) must not stop a kill or a settle. */
  private persist(view: DeploymentView): void {
    try {
      this.store.save(view);
    } catch (err) {
      this.deps.log.error({ err, deployment: view.id }, 'deployment record not written');
    }
  }

  private emit(e: DeploymentEvent): void {
    this.events.emit('event', e);
  }
}

/** A deployment request the service cannot act on (a runtime this server does not have): a 400 naming the field. */
export class DeployInputError extends Error {
  constructor(message: string, readonly field: string) {
    super(message);
    this.name = 'DeployInputError';
  }
}

