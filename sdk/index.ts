export { Client, type WrapOptions, type TelemetryStats } from './client.js';
export { BudgetStrategy, PricingMode, DEFAULT_OPTIONS, type ClientOptions } from './options.js';
export { BudgetExceededError, MeteringError, SdkConfigError, budgetErrorOf, type BudgetDetails, type MeteringErrorCode } from './errors.js';
export { GpuTimer, type GpuTimerOptions } from './gpu-timer.js';
export type { PreflightPlan, PreflightResult } from './preflight.js';
export type { ProviderAdapter } from './providers/types.js';
export { createHttpTransport, type HttpTransportOptions } from './http-transport.js';
