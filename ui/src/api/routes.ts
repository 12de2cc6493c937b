import type {
  AlertView, BudgetView, KeyScope, ModelAccuracyResponse, ModelDescription, RunsResponse, SpendResponse,
} from './types.js';

/** Every route the dashboard reads, with its answer; test/ui checks each is in the server's OpenAPI document. */
export interface ReadRoutes {
  '/auth/scope': KeyScope;
  '/budgets': { budgets: BudgetView[] };
  '/alerts': { alerts: AlertView[] };
  '/spend': SpendResponse;
  '/runs': RunsResponse;
  '/models': ModelDescription;
  '/models/accuracy': ModelAccuracyResponse;
}

export const READ_ROUTES = [
  '/auth/scope', '/budgets', '/alerts', '/spend', '/runs', '/models', '/models/accuracy',
] as const satisfies readonly (keyof ReadRoutes)[];

/** What the dashboard changes: a budget's limit (admin keys only), a running run's reservation (released). */
export const WRITE_ROUTES = [
  { method: 'patch', path: '/budgets/{tenant_id}' },
  { method: 'post', path: '/budgets/{tenant_id}/reservations/{reservation_id}/release' },
] as const;
