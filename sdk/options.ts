import type { TokenPrice } from '../pricing/index.js';
import type { Transport } from '../stream/index.js';
import type { BudgetDetails } from './errors.js';
import { SdkConfigError } from './errors.js';

export const BudgetStrategy = {
  /** Refuse the call (BudgetExceededError) before the provider is called. */
  RAISE_ERROR: 'RAISE_ERROR',
  /** Let it through; warn once each time the budget is crossed. */
  WARN_ONLY: 'WARN_ONLY',
  /** Ask `onBudgetCallback`: the call goes ahead only if it returns true. */
  CALLBACK: 'CALLBACK',
  /** SIGKILL this process: for jobs that must not spend a cent more. */
  SELF_KILL: 'SELF_KILL',
} as const;
export type BudgetStrategy = (typeof BudgetStrategy)[keyof typeof BudgetStrategy];

export const PricingMode = { TOKENS: 'TOKENS', GPU_TIME: 'GPU_TIME' } as const;
export type PricingMode = (typeof PricingMode)[keyof typeof PricingMode];

export interface ClientOptions {
  readonly tenantId: string;
  readonly budgetUsd: number;
  readonly onBudgetExceeded?: BudgetStrategy;
  /** For CALLBACK: sync or async; return true to let a refused call go ahead. */
  readonly onBudgetCallback?: (details: BudgetDetails) => boolean | void | Promise<boolean | void>;
  readonly pricingMode?: PricingMode;
  /** GPU_TIME: the GPU the self-hosted server runs on, and how many. */
  readonly gpuType?: string;
  readonly gpuCount?: number;
  /** Prices for models the catalog does not know (self-hosted behind an OpenAI-compatible API, or a fallback). */
  readonly customPrices?: Readonly<Record<string, { inputUsdPerMtok: number; outputUsdPerMtok: number }>>;
  /**
   * A refreshed price database (`lutflow prices update` writes it; env LUTFLOW_PRICES_CACHE); the copy
   * bundled with @pydantic/genai-prices is used when it is absent.
   */
  readonly pricesCache?: string;
  /** Price an unknown model like this one (with a warning) instead of refusing the call. */
  readonly fallbackModel?: string;
  /** Lutflow server for pre-flight checks (env LUTFLOW_ENDPOINT), with its API key (env LUTFLOW_API_KEY). */
  readonly endpoint?: string;
  readonly apiKey?: string;
  /**
   * Cloud mode (with `endpoint`): lease slices of the tenant's server-side budget and spend them in-process, so
   * any number of processes together never spend more than the server's budget (default true with an endpoint).
   */
  readonly leases?: boolean;
  /** The slice leased at a time (default 2 % of the server budget's limit, at least the call that needs it). */
  readonly leaseSliceUsd?: number;
  /** A lease goes back to the budget this long after its process stopped renewing it (default 60 s). */
  readonly leaseTtlSeconds?: number;
  /** A local model directory for pre-flight checks without a server. */
  readonly preflightModelDir?: string;
  /** Where telemetry goes: the Lutflow server when `endpoint` is set, else the embedded bus. */
  readonly transport?: Transport;
  /** Telemetry events held while the transport is busy; beyond it they are dropped and counted. */
  readonly telemetryBufferSize?: number;
  /** A call quiet for this long (a stream never read, a hung request) frees its reservation; it is still charged when it ends. */
  readonly reservationTtlMs?: number;
  /** How often a running GPU timer checks the budget. */
  readonly gpuTickMs?: number;
  /** Batch-API prices for every call (half price where the provider offers it). */
  readonly batch?: boolean;
  /**
   * Paid endpoints Lutflow cannot price (images, audio, batches, fine-tuning, realtime …) are refused;
   * true lets them through unmetered, with a warning each time.
   */
  readonly allowUnpricedEndpoints?: boolean;
  readonly logger?: { warn(message: string): void };
}

/** Defaults, in one place. */
export const DEFAULT_OPTIONS: {
  onBudgetExceeded: BudgetStrategy; pricingMode: PricingMode; gpuCount: number; telemetryBufferSize: number; gpuTickMs: number; batch: boolean;
  reservationTtlMs: number; allowUnpricedEndpoints: boolean; leaseTtlSeconds: number;
} = {
  onBudgetExceeded: BudgetStrategy.RAISE_ERROR,
  pricingMode: PricingMode.TOKENS,
  gpuCount: 1,
  telemetryBufferSize: 10_000,
  gpuTickMs: 250,
  batch: false,
  reservationTtlMs: 15 * 60_000,
  allowUnpricedEndpoints: false,
  leaseTtlSeconds: 60,
};

export type ResolvedOptions = ClientOptions & typeof DEFAULT_OPTIONS & { readonly logger: { warn(message: string): void } };

/** Environment variables, read here and nowhere else. */
export function fromEnv(env: NodeJS.ProcessEnv = process.env): Partial<ClientOptions> {
  return { endpoint: env.LUTFLOW_ENDPOINT || undefined, apiKey: env.LUTFLOW_API_KEY || undefined, pricesCache: env.LUTFLOW_PRICES_CACHE || undefined };
}

export function resolveOptions(opts: ClientOptions, env: NodeJS.ProcessEnv = process.env): ResolvedOptions {
  const o = { ...DEFAULT_OPTIONS, ...fromEnv(env), ...stripUndefined(opts), logger: opts.logger ?? { warn: (m: string) => process.emitWarning(m, 'LutflowBudgetWarning') } } as ResolvedOptions;
  if (!o.tenantId) throw new SdkConfigError('tenantId', 'is required');
  if (!(Number.isFinite(o.budgetUsd) && o.budgetUsd >= 0)) throw new SdkConfigError('budgetUsd', `expected a non-negative number, got ${o.budgetUsd}`);
  if (!Object.values(BudgetStrategy).includes(o.onBudgetExceeded)) throw new SdkConfigError('onBudgetExceeded', `expected one of ${Object.values(BudgetStrategy).join(', ')}`);
  if (o.onBudgetExceeded === BudgetStrategy.CALLBACK && typeof o.onBudgetCallback !== 'function') throw new SdkConfigError('onBudgetCallback', 'is required with CALLBACK');
  if (!Object.values(PricingMode).includes(o.pricingMode)) throw new SdkConfigError('pricingMode', `expected TOKENS or GPU_TIME`);
  if (o.pricingMode === PricingMode.GPU_TIME && !o.gpuType) throw new SdkConfigError('gpuType', 'is required with GPU_TIME');
  if (!(Number.isInteger(o.gpuCount) && o.gpuCount >= 1)) throw new SdkConfigError('gpuCount', `expected a positive integer, got ${o.gpuCount}`);
  if (o.leaseSliceUsd !== undefined && !(o.leaseSliceUsd > 0)) throw new SdkConfigError('leaseSliceUsd', `expected a positive number, got ${o.leaseSliceUsd}`);
  if (!(Number.isInteger(o.leaseTtlSeconds) && o.leaseTtlSeconds >= 1 && o.leaseTtlSeconds <= 3600)) {
    throw new SdkConfigError('leaseTtlSeconds', `expected whole seconds from 1 to 3600, got ${o.leaseTtlSeconds}`);
  }
  return o;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export type { TokenPrice };
