import type { NormalizedUsage } from '../pricing/index.js';

/** What a route knows before the call: enough to reserve its worst case. */
export interface CallPlan {
  readonly provider: string;
  readonly model: string;
  /** An upper bound of the prompt's tokens: exact where the tokenizer is public, provably above it elsewhere. */
  readonly promptTokensBound: number;
  /** The request's output limit per choice; the model's own limit when absent. */
  readonly maxOutputTokens?: number;
  /** Completions generated for the one prompt (`n`, `candidateCount`): the output bound is multiplied by it. */
  readonly choices: number;
  readonly stream: boolean;
  readonly operation: string;
  /** Priced at the provider's batch prices (a batch job). */
  readonly batch?: boolean;
  /** The API the call goes to (origin and path): a price database can tell the host from it. */
  readonly apiUrl?: string;
}

export type CallOutcome = 'ok' | 'error' | 'aborted';

/**
 * One metered call. `progress` charges what is known so far (a running total: a stream's prompt once
 * the provider accepted it, then what it produced); `settle` charges the final cost once; `release`
 * frees the reservation of a call the provider never accepted.
 */
export interface MeteredCall {
  readonly plan: CallPlan;
  progress(usage: NormalizedUsage): void;
  settle(usage: NormalizedUsage, outcome: CallOutcome): void;
  release(outcome: CallOutcome): void;
  /** Settles at the whole reservation: a batch job, whose real usage arrives hours later. */
  settleAtBound(outcome: CallOutcome): void;
  /** The call is alive (a stream chunk arrived): its reservation's time-to-live starts again. */
  touch(): void;
  readonly settled: boolean;
}

/** The client side that the metered fetch talks to: reserve-or-refuse before, charge after. */
export interface Meter {
  begin(plan: CallPlan): Promise<MeteredCall>;
  readonly allowUnpricedEndpoints: boolean;
  warn(message: string): void;
}

/** The prompt alone, before the provider said anything: what a call costs at least once accepted. */
export function promptOnly(plan: CallPlan): NormalizedUsage {
  return { input: { total: plan.promptTokensBound }, output: { total: 0 } };
}
