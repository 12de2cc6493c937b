/** Why a call or run was refused, with the numbers a caller can act on. */
export interface BudgetDetails {
  readonly tenantId: string;
  readonly spentUsd: number;
  readonly limitUsd: number;
  /** What the refused or crossing call would cost (its reservation, its settled cost, or a predicted P90). */
  readonly attemptedUsd: number;
  readonly reservedUsd: number;
  /** `lease`: the tenant's server-side budget had no room left to lease (cloud mode). */
  readonly reason: 'reservation' | 'lease' | 'streaming' | 'settled' | 'gpu_timer' | 'preflight';
  readonly provider?: string;
  readonly model?: string;
}

export class BudgetExceededError extends Error {
  readonly code = 'BUDGET_EXCEEDED';
  readonly spentUsd: number;
  readonly limitUsd: number;
  readonly attemptedUsd: number;

  constructor(readonly details: BudgetDetails) {
    super(`budget of tenant '${details.tenantId}' exceeded: spent $${details.spentUsd.toFixed(6)} + reserved $${details.reservedUsd.toFixed(6)} + attempted $${details.attemptedUsd.toFixed(6)} > limit $${details.limitUsd.toFixed(6)} (${details.reason}${details.model ? `, ${details.provider} ${details.model}` : ''})`);
    this.name = 'BudgetExceededError';
    this.spentUsd = details.spentUsd;
    this.limitUsd = details.limitUsd;
    this.attemptedUsd = details.attemptedUsd;
  }
}

export class SdkConfigError extends Error {
  readonly code = 'SDK_CONFIG';
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'SdkConfigError';
  }
}

export type MeteringErrorCode =
  /** A paid endpoint Lutflow cannot price (images, audio, batches, fine-tuning …): refused unless allowed. */
  | 'UNPRICED_ENDPOINT'
  /** A paid request whose body cannot be read, so its worst case cannot be bounded. */
  | 'BAD_REQUEST_BODY'
  /** The tenant's budget (or an ancestor scope's) does not allow this model (cloud mode: its model_policy). */
  | 'MODEL_NOT_ALLOWED';

/** A request the meter refused before the provider saw it, for a reason other than the budget. */
export class MeteringError extends Error {
  constructor(readonly code: MeteringErrorCode, message: string, readonly operation: string) {
    super(message);
    this.name = 'MeteringError';
  }
}

/**
 * The budget refusal behind an error, if any. Plain calls reject with `BudgetExceededError` itself; the
 * SDKs' stream helpers (`messages.stream()`, `chat.completions.stream()`) wrap every error in their own
 * class, with the refusal as its `cause`.
 */
export function budgetErrorOf(err: unknown): BudgetExceededError | undefined {
  for (let e = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof BudgetExceededError) return e;
  }
  return undefined;
}
