import { randomUUID } from 'node:crypto';
import { builtinCatalog, gpuTimeCostMicros, microsToUsd, PricingError, usageCostMicros, usdToMicros, type Catalog, type NormalizedUsage, type TokenPrice } from '../pricing/index.js';
import { createEmbeddedBus, TELEMETRY_SCHEMA_VERSION, TOPICS, type TelemetryEvent, type Transport } from '../stream/index.js';
import { LocalBudget } from './budget.js';
import { BudgetExceededError, MeteringError, type BudgetDetails } from './errors.js';
import type { CallPlan, Meter, MeteredCall } from './meter.js';
import { createMeteredFetch } from './fetch/metered-fetch.js';
import { guardSockets } from './providers/sockets.js';
import { BudgetStrategy, PricingMode, resolveOptions, type ClientOptions, type ResolvedOptions } from './options.js';
import { createAnthropicAdapter } from './providers/anthropic/adapter.js';
import { createGeminiAdapter } from './providers/gemini/adapter.js';
import { createOpenAIAdapter } from './providers/openai/adapter.js';
import type { ProviderAdapter } from './providers/types.js';
import type { GpuTimer, GpuTimerOptions } from './gpu-timer.js';
import { GpuTimers } from './gpu-timers.js';
import { defaultPricesCache, PriceLookup } from './prices.js';
import { createHttpTransport } from './http-transport.js';
import { httpLeaseApi, LeasePool, type LeaseHold } from './leases.js';
import { runPreflight, type PreflightPlan, type PreflightResult } from './preflight.js';

const ADAPTERS: readonly ProviderAdapter[] = [createOpenAIAdapter(), createAnthropicAdapter(), createGeminiAdapter()];

/** Assumed decode speed for a GPU_TIME reservation when the request gives no better bound: slow on purpose. */
const WORST_CASE_TOKENS_PER_SECOND = 10;

const GPU_TIME_PLAN = (gpuType: string): CallPlan => ({ provider: 'self_hosted', model: gpuType, operation: 'gpu_time', stream: false, promptTokensBound: 0, choices: 1 });

export interface WrapOptions {
  /** The provider name in telemetry and pricing; inferred from the client otherwise. */
  readonly provider?: string;
}

export interface TelemetryStats {
  readonly sent: number;
  readonly dropped: number;
  readonly failed: number;
}

/**
 * The budget firewall around provider clients. `wrap()` returns the same client type; each call
 * reserves its worst case first (refused, per strategy, if it does not fit), then settles to the real
 * cost from the provider's usage, or releases on error, abort or timeout.
 */
export class Client implements Meter {
  readonly options: ResolvedOptions;
  private readonly budget: LocalBudget;
  private readonly catalog: Catalog;
  private readonly transport: Transport;
  private readonly prices: PriceLookup;
  private over = false;
  private readonly telemetry = { sent: 0, failed: 0 };
  private readonly timers: GpuTimers;
  private readonly leases?: LeasePool;
  private readonly tickedMs = new WeakMap<GpuTimer, number>();

  constructor(options: ClientOptions, deps: { catalog?: Catalog; env?: NodeJS.ProcessEnv } = {}) {
    this.options = resolveOptions(options, deps.env);
    this.catalog = deps.catalog ?? builtinCatalog();
    this.budget = new LocalBudget(usdToMicros(this.options.budgetUsd, 'budgetUsd'));
    this.transport = this.options.transport
      ?? (this.options.endpoint
        ? createHttpTransport({ endpoint: this.options.endpoint, apiKey: this.options.apiKey, capacity: this.options.telemetryBufferSize })
        : createEmbeddedBus({ capacity: this.options.telemetryBufferSize }));
    this.prices = new PriceLookup({
      catalog: this.catalog, customPrices: this.options.customPrices, fallbackModel: this.options.fallbackModel,
      pricesCache: this.options.pricesCache ?? defaultPricesCache(deps.env), warn: (m) => this.options.logger.warn(m),
    });
    if (this.options.pricingMode === PricingMode.GPU_TIME) this.catalog.gpuPrices.quote(this.options.gpuType!);
    if (this.options.endpoint && this.options.leases !== false) {
      this.leases = new LeasePool(httpLeaseApi(this.options.endpoint, this.options.tenantId, this.options.apiKey), {
        sliceMicros: this.options.leaseSliceUsd === undefined ? undefined : usdToMicros(this.options.leaseSliceUsd, 'leaseSliceUsd'),
        ttlSeconds: this.options.leaseTtlSeconds, exhaustedBackoffMs: 1000, warn: (m) => this.options.logger.warn(m),
      });
    }
    // Cloud mode: a GPU timer reports each tick, so the server has charged it up to the last tick even if the
    // process vanishes; elsewhere one event at the end is enough.
    const tickEvents = this.options.endpoint !== undefined;
    this.timers = new GpuTimers({
      selfKill: this.options.onBudgetExceeded === BudgetStrategy.SELF_KILL, limitMicros: this.budget.limit, tickMs: this.options.gpuTickMs,
      add: (micros, t) => {
        this.budget.add(micros);
        if (tickEvents) this.emitTick(t, micros);
        this.crossed('gpu_timer', micros, { provider: 'self_hosted', model: t.options.gpuType });
      },
      done: (t) => { if (!tickEvents) this.emit(GPU_TIME_PLAN(t.options.gpuType), undefined, t.costMicros, t.elapsedMs, 'ok', t); },
      flush: () => this.flush(),
    });
  }

  get accumulatedCostUsd(): number {
    return microsToUsd(this.budget.spent);
  }

  get remainingBudgetUsd(): number {
    return microsToUsd(this.budget.limit - this.budget.spent - this.budget.reserved);
  }

  get reservedUsd(): number {
    return microsToUsd(this.budget.reserved);
  }

  get openReservations(): number {
    return this.budget.openReservations;
  }

  get telemetryStats(): TelemetryStats {
    return { sent: this.telemetry.sent, dropped: this.transport.stats().dropped, failed: this.telemetry.failed };
  }

  /**
   * The same client, metered: a copy whose every HTTP request passes the meter (every method, helpers
   * such as `stream()`, `parse()` and tool runners included), keeping the SDK's own promise types.
   * OpenAI (and compatible servers), Anthropic and Google Gen AI clients are recognised.
   */
  wrap<T extends object>(client: T, opts: WrapOptions = {}): T {
    const adapter = ADAPTERS.find((a) => a.matches(client));
    if (!adapter) throw new TypeError('wrap(): not an OpenAI, Anthropic or Google Gen AI client');
    const provider = opts.provider ?? (this.options.pricingMode === PricingMode.GPU_TIME ? 'self_hosted' : adapter.name);
    const copy = adapter.withFetch(client, (base, refuse) => createMeteredFetch(base, { meter: this, provider, routes: adapter.routes, refuse }));
    guardSockets(copy, adapter.sockets ?? [], this, provider);
    return copy;
  }

  get allowUnpricedEndpoints(): boolean {
    return this.options.allowUnpricedEndpoints;
  }

  warn(message: string): void {
    this.options.logger.warn(message);
  }

  private details(reason: BudgetDetails['reason'], attemptedMicros: number, plan?: { provider: string; model: string }): BudgetDetails {
    return {
      tenantId: this.options.tenantId, spentUsd: microsToUsd(this.budget.spent), limitUsd: microsToUsd(this.budget.limit),
      reservedUsd: microsToUsd(this.budget.reserved), attemptedUsd: microsToUsd(attemptedMicros), reason, provider: plan?.provider, model: plan?.model,
    };
  }

  /** Runs the configured strategy. Returns whether a refused call may go ahead. */
  async enforce(details: BudgetDetails): Promise<boolean> {
    switch (this.options.onBudgetExceeded) {
      case BudgetStrategy.RAISE_ERROR:
        throw new BudgetExceededError(details);
      case BudgetStrategy.WARN_ONLY:
        this.options.logger.warn(new BudgetExceededError(details).message);
        return true;
      case BudgetStrategy.CALLBACK:
        return (await this.options.onBudgetCallback!(details)) === true;
      case BudgetStrategy.SELF_KILL:
        process.kill(process.pid, 'SIGKILL');
        return false;
    }
    return false;
  }

  /**
   * A call that does not fit. The client is "over" from the first refusal or overspend until a
   * reservation fits again; WARN_ONLY warns once per such crossing, the other strategies act each time.
   */
  private async refused(details: BudgetDetails): Promise<boolean> {
    const first = !this.over;
    this.over = true;
    if (this.options.onBudgetExceeded === BudgetStrategy.WARN_ONLY && !first) return true;
    return this.enforce(details);
  }

  /** After spend went up: the strategy runs the moment spend passes the limit (RAISE_ERROR refuses the next call). */
  private crossed(reason: BudgetDetails['reason'], micros: number, plan?: { provider: string; model: string }): void {
    this.timers.spent(this.budget.spent);
    if (this.budget.spent <= this.budget.limit || this.over) return;
    this.over = true;
    if (this.options.onBudgetExceeded === BudgetStrategy.RAISE_ERROR) return;
    void this.enforce(this.details(reason, micros, plan)).catch(() => {});
  }

  private async priceFor(plan: CallPlan): Promise<TokenPrice | undefined> {
    if (this.options.pricingMode === PricingMode.GPU_TIME && !this.prices.hasCustom(plan.model)) return undefined;
    return this.prices.known(plan.model) ?? this.prices.find(plan.model, { provider: plan.provider, apiUrl: plan.apiUrl });
  }

  private gpuMicrosPerHour(): number {
    return this.catalog.gpuPrices.quote(this.options.gpuType!).microsPerGpuHour * this.options.gpuCount;
  }

  /** The worst case a call can cost: its prompt bound plus its output limit (the model's when absent) per choice. */
  private worstCase(plan: CallPlan, price: TokenPrice | undefined): number {
    if (!price) {
      const out = (plan.maxOutputTokens ?? 4096) * plan.choices;
      return gpuTimeCostMicros(Math.ceil((out / WORST_CASE_TOKENS_PER_SECOND) * 1000), this.gpuMicrosPerHour());
    }
    return usageCostMicros(boundUsage(plan, price), price, { batch: plan.batch || this.options.batch }).micros;
  }

  async begin(plan: CallPlan): Promise<MeteredCall> {
    const price = await this.priceFor(plan);
    const worst = this.worstCase(plan, price);
    let id = this.budget.tryReserve(worst);
    // Cloud mode: the call must also fit a lease of the server-side budget, shared with every other process.
    const hold = id !== undefined && this.leases ? await this.leases.acquire(worst) : undefined;
    if (id !== undefined && this.leases && !hold) {
      this.budget.release(id);
      id = undefined;
    }
    if (this.leases && !this.leases.allows(plan.model, price ? [price.id] : [])) {
      if (hold) this.leases.end(hold, 0);
      if (id !== undefined) this.budget.release(id);
      this.emit(plan, undefined, 0, 0, 'refused');
      throw new MeteringError('MODEL_NOT_ALLOWED', `${plan.provider} ${plan.model} is not allowed for '${this.options.tenantId}' by its budget's model_policy`, plan.operation);
    }
    if (id !== undefined) this.over = false;
    else {
      const reason = this.leases && this.budget.spent + this.budget.reserved + worst <= this.budget.limit ? 'lease' : 'reservation';
      const go = await this.refused(this.details(reason, worst, plan)).catch((err) => {
        this.emit(plan, undefined, 0, 0, 'refused');
        throw err;
      });
      if (!go) {
        this.emit(plan, undefined, 0, 0, 'refused');
        throw new BudgetExceededError(this.details(reason, worst, plan));
      }
      id = this.budget.force(worst);
    }
    return this.track(plan, id, price, worst, hold);
  }

  /**
   * The life of an admitted call. Its reservation's TTL frees headroom held by a call that went quiet
   * (a stream never read, a hung request), but never makes it free: whatever it is charged later, by
   * progress or settle, still counts. Each sign of life (a stream chunk) starts the TTL again.
   */
  private track(plan: CallPlan, reservation: number, price: TokenPrice | undefined, worst: number, hold?: LeaseHold): MeteredCall {
    const started = performance.now();
    let settled = false;
    let charged = 0;
    const cost = (usage: NormalizedUsage) => (price
      ? usageCostMicros(usage, price, { batch: plan.batch || this.options.batch }).micros
      : gpuTimeCostMicros(Math.ceil(performance.now() - started), this.gpuMicrosPerHour()));
    const expiry = setTimeout(() => this.budget.close(reservation), this.options.reservationTtlMs);
    expiry.unref();
    const end = (total: number) => {
      settled = true;
      clearTimeout(expiry);
      if (hold) this.leases!.end(hold, total);
    };
    const client = this;
    return {
      plan,
      get settled() { return settled; },
      progress(usage) {
        if (settled) return;
        const micros = cost(usage);
        client.budget.charge(reservation, micros);
        if (hold) client.leases!.charge(hold, charged, micros);
        charged = micros;
        client.crossed('streaming', micros, plan);
      },
      settle(usage, outcome) {
        if (settled) return;
        const micros = cost(usage);
        if (hold) client.leases!.charge(hold, charged, micros);
        end(micros);
        client.budget.settle(reservation, micros);
        client.crossed('settled', micros, plan);
        client.emit(plan, usage, micros, performance.now() - started, outcome, undefined, hold);
      },
      release(outcome) {
        if (settled) return;
        end(charged);
        client.budget.release(reservation);
        client.emit(plan, undefined, charged, performance.now() - started, outcome, undefined, hold);
      },
      settleAtBound(outcome) {
        if (settled) return;
        if (hold) client.leases!.charge(hold, charged, worst);
        end(worst);
        client.budget.settle(reservation, worst);
        client.crossed('settled', worst, plan);
        client.emit(plan, price && boundUsage(plan, price), worst, performance.now() - started, outcome, undefined, hold);
      },
      touch() {
        if (!settled) expiry.refresh();
      },
    };
  }

  /** The GPU time a timer's tick charged, as its own event (the milliseconds since its previous tick). */
  private emitTick(t: GpuTimer, micros: number): void {
    const elapsed = t.elapsedMs;
    const since = elapsed - (this.tickedMs.get(t) ?? 0);
    this.tickedMs.set(t, elapsed);
    this.emit(GPU_TIME_PLAN(t.options.gpuType), undefined, micros, since, 'ok', t);
  }

  /** Telemetry never blocks or fails the user's call. */
  private emit(
    plan: CallPlan, usage: NormalizedUsage | undefined, micros: number, latencyMs: number, outcome: TelemetryEvent['outcome'], timer?: GpuTimer,
    hold?: LeaseHold,
  ): void {
    try {
      const event: TelemetryEvent = {
        schema_version: TELEMETRY_SCHEMA_VERSION, event_id: randomUUID(), event_time: new Date().toISOString(), tenant_id: this.options.tenantId,
        ...(hold ? { lease_id: hold.leaseId } : {}),
        provider: plan.provider, model: plan.model, cost_usd_micros: micros, latency_ms: latencyMs, outcome,
        ...(usage ? { tokens: { input: usage.input.total, cached_input: usage.input.cacheRead, cache_write: sum(usage.input.cacheWrite5m, usage.input.cacheWrite1h), output: usage.output.total, reasoning: usage.output.reasoning } } : {}),
        ...(timer
          ? { gpu: { type: timer.options.gpuType, count: timer.options.gpuCount, seconds: latencyMs / 1000 } }
          : this.options.pricingMode === PricingMode.GPU_TIME ? { gpu: { type: this.catalog.gpus.get(this.options.gpuType!).id, count: this.options.gpuCount, seconds: latencyMs / 1000 } } : {}),
      };
      this.transport.publish(TOPICS.telemetry, this.options.tenantId, event);
      this.telemetry.sent++;
    } catch {
      this.telemetry.failed++;
    }
  }

  /**
   * Starts pricing GPU time at the catalog's $/GPU-hour x count; the strategy runs mid-run if the budget is
   * crossed (with SELF_KILL, from a watchdog thread even while the main thread is blocked). A timer still
   * running when the process ends is charged up to that moment.
   */
  startGpuTimer(opts: Partial<GpuTimerOptions> = {}): GpuTimer {
    const gpuType = opts.gpuType ?? this.options.gpuType;
    if (!gpuType) throw new PricingError('UNKNOWN_GPU', 'startGpuTimer(): no gpuType given and none in the client options', { field: 'gpuType' });
    const count = opts.gpuCount ?? this.options.gpuCount;
    const microsPerHour = this.catalog.gpuPrices.quote(gpuType, { spot: opts.spot }).microsPerGpuHour * count;
    const gpu = this.catalog.gpus.get(gpuType).id;
    return this.timers.start({ gpuType: gpu, gpuCount: count, spot: opts.spot, tickMs: opts.tickMs ?? this.options.gpuTickMs }, microsPerHour);
  }

  /** Stops a timer (the latest one when none is given) and returns what it cost. */
  stopGpuTimer(timer?: GpuTimer): number {
    const t = timer ?? this.timers.latest();
    return t ? t.stop() : 0;
  }

  /** Asks the serving API (or a local model) whether a planned run fits the remaining budget, before anything is spent. */
  async preflight(plan: PreflightPlan): Promise<PreflightResult> {
    const r = await runPreflight(plan, { options: this.options, remainingUsd: this.remainingBudgetUsd, catalog: this.catalog });
    if (r.decision === 'deny') {
      const go = await this.enforce(this.details('preflight', usdToMicros(Math.max(0, r.predictedP90Usd))));
      return { ...r, overridden: go };
    }
    return r;
  }

  async flush(): Promise<void> {
    await this.transport.flush();
  }

  async close(): Promise<void> {
    await this.timers.close();
    // Telemetry first: a lease returned before its calls' events arrived would have them charged as covered anyway.
    await this.transport.flush();
    await this.leases?.close();
    await this.transport.close();
  }
}

/** The prompt bound and the output limit (the model's when the request gives none) per choice. */
function boundUsage(plan: CallPlan, price: TokenPrice): NormalizedUsage {
  const out = (plan.maxOutputTokens ?? price.maxOutputTokens) * plan.choices;
  return { input: { total: plan.promptTokensBound, noCache: plan.promptTokensBound }, output: { total: out } };
}

function sum(a?: number, b?: number): number | undefined {
  return a === undefined && b === undefined ? undefined : (a ?? 0) + (b ?? 0);
}
