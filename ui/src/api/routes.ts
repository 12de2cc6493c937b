import type {
  AlertView, BudgetView, DeploymentView, KeyScope, ModelAccuracyResponse, ModelDescription, RunsResponse, SpendResponse,
} from './types.js';

/** Every route the dashboard reads, with its answer; test/ui checks each is in the server's OpenAPI document. */
export interface ReadRoutes {
  '/auth/scope': KeyScope;
  '/budgets': { budgets: BudgetView[] };
  '/alerts': { alerts: AlertView[] };
  '/deployments': { deployments: DeploymentView[] };
  '/spend': SpendResponse;
  '/runs': RunsResponse;
  '/models': ModelDescription;
  '/models/accuracy': ModelAccuracyResponse;
}

export const READ_ROUTES = [
  '/auth/scope', '/budgets', '/alerts', '/deployments', '/spend', '/runs', '/models', '/models/accuracy',
] as const satisfies readonly (keyof ReadRoutes)[];

/** What the dashboard changes (admin keys only): a budget's limit, a running run's reservation (released), a deployment (stopped). */
export const WRITE_ROUTES = [
  { method: 'patch', path: '/budgets/{tenant_id}' },
  { method: 'post', path: '/budgets/{tenant_id}/reservations/{reservation_id}/release' },
  { method: 'post', path: '/deployments/{id}/kill' },
] as const;
