import { policyAllows } from '../../lib/glob.js';
import { LedgerError, type AlertDelivery, type ChargeInput, type DeliveryResult, type LedgerPolicy, type ModelPolicy } from './types.js';

/** Largest amount one reservation, settle, charge or limit may carry: $1e9. */
export const MAX_MICROS = 1e15;

export function checkAmount(micros: number, field: string): void {
  if (!Number.isSafeInteger(micros) || micros < 0 || micros > MAX_MICROS) {
    throw new LedgerError('INVALID_AMOUNT', `${field} must be an integer of micro-dollars from 0 to ${MAX_MICROS}, got ${micros}`, field);
  }
}

/** Why an event time cannot be charged under the policy, or undefined when it can. */
export function eventTimeError(at: number, now: number, policy: LedgerPolicy): string | undefined {
  if (!Number.isFinite(at)) return 'is not a time';
  if (at > now + policy.maxFutureSkewMs) {
    return `is ${Math.round((at - now) / 1000)} s ahead of the server clock; at most ${policy.maxFutureSkewMs / 1000} s of clock skew is accepted`;
  }
  if (at < now - policy.dedupeHorizonMs) {
    return `is older than the ${policy.dedupeHorizonMs / 3_600_000} h de-duplication horizon: it cannot be told from a duplicate`;
  }
  return undefined;
}

/** The errors both stores answer with, worded once. */
export const ledgerErrors = {
  budgetNotFound: (tenant: string) => new LedgerError('BUDGET_NOT_FOUND', `no budget for tenant '${tenant}'`, 'tenant_id'),
  budgetExists: (tenant: string) => new LedgerError('BUDGET_EXISTS', `tenant '${tenant}' already has a budget; update it instead`, 'tenant_id'),
  reservationNotFound: (tenant: string, id: string) => new LedgerError('RESERVATION_NOT_FOUND',
    `tenant '${tenant}' has no reservation '${id}' (never made, or forgotten after the settle grace period)`, 'reservation_id'),
  alreadySettled: (id: string) => new LedgerError('RESERVATION_SETTLED', `reservation '${id}' is already settled; a settle charges once`, 'reservation_id'),
  notRenewable: (tenant: string, id: string) => new LedgerError('RESERVATION_NOT_FOUND',
    `tenant '${tenant}' has no open reservation '${id}' to renew (expired, closed or never made): take a new one`, 'reservation_id'),
};

/** What a reservation of `micros` is granted with `remaining` left: all or nothing, or (partial) what is left. */
export function grantFor(micros: number, remaining: number, partial = false): number | undefined {
  if (micros <= remaining) return micros;
  return partial && remaining > 0 ? remaining : undefined;
}

/** Refuses a batch of charges, before anything is written, when one amount or event time is out of bounds. */
export function checkCharges(items: readonly ChargeInput[], now: number, policy: LedgerPolicy): void {
  for (const it of items) {
    checkAmount(it.micros, 'cost_usd_micros');
    const bad = eventTimeError(it.at, now, policy);
    if (bad) throw new LedgerError('EVENT_TIME', bad, 'event_time');
  }
}

/** How long a replica holds the alerts it claimed for delivery before another may try. */
export const ALERT_CLAIM_MS = 30_000;

/** An alert's delivery after one attempt. */
export function nextDelivery(d: AlertDelivery, result: DeliveryResult, now: number): AlertDelivery {
  if (result.delivered) {
    return { state: 'delivered', attempts: d.attempts + 1, next_at: now, delivered_at: now, ...(d.last_error ? { last_error: d.last_error } : {}) };
  }
  if (result.unconfigured) return { state: 'unconfigured', attempts: d.attempts, next_at: now, last_error: result.error };
  return result.retryAt === undefined
    ? { state: 'failed', attempts: d.attempts + 1, next_at: now, last_error: result.error }
    : { state: 'pending', attempts: d.attempts + 1, next_at: result.retryAt, last_error: result.error };
}

export function thresholdMessage(tenant: string, share: number, spent: number, limit: number): string {
  return `tenant '${tenant}' has spent $${(spent / 1e6).toFixed(2)} of its $${(limit / 1e6).toFixed(2)} budget: ${Math.round(share * 100)} % crossed`;
}

/**
 * A tenant id and its ancestor scopes, own first: `acme/search/alice` → `acme/search/alice`, `acme/search`,
 * `acme`. A spend counts against each of them that has a budget.
 */
export function scopeChain(id: string): string[] {
  const parts = id.split('/');
  return parts.map((_, i) => parts.slice(0, parts.length - i).join('/')).filter((s) => s.length > 0);
}

/**
 * Scopes whose reservations the server itself holds and closes (a deployment's `acme/deployment:ID`, metered
 * tick by tick): no API caller settles, releases or renews them, through their own path or an ancestor's.
 */
export const isServerScope = (scope: string) => /(^|\/)deployment:/.test(scope);

/**
 * Whether a reservation made for scope `owner` may be closed or renewed through the path of scope `path`: its
 * own, or an ancestor's (a key for `acme` acts for `acme/search`), never a descendant's or a sibling's, and never
 * a server scope's through an ancestor.
 */
export function reaches(path: string, owner: string): boolean {
  return owner === path || (owner.startsWith(`${path}/`) && !isServerScope(owner));
}

/** Whether `model` passes `policy`: not denied, and allowed when there is an allow list. */
export function modelAllowed(policy: ModelPolicy | undefined, model: string, pricedAs: readonly string[] = []): boolean {
  return !policy || policyAllows(policy, model, pricedAs);
}
