import type { ReadRoutes } from './routes.js';
import type { BudgetView, DeploymentView } from './types.js';

/** An error answer of the API (`{ error: { code, message, field } }`), or the network failing. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly field?: string) {
    super(message);
  }
}

export type Query = Record<string, string | number | undefined>;

export interface Client {
  get<P extends keyof ReadRoutes>(path: P, query?: Query): Promise<ReadRoutes[P]>;
  setLimit(tenant: string, limitUsd: number): Promise<BudgetView>;
  release(tenant: string, reservationId: string): Promise<BudgetView>;
  /** Answers once the deployment is gone and its spend settled. */
  stopDeployment(id: string, reason: string): Promise<DeploymentView>;
}

async function request<T>(key: string, method: string, url: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(0, 'NETWORK', `the server did not answer (${(err as Error).message})`);
  }
  const text = await res.text();
  const json = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    const e = (json as { error?: { code: string; message: string; field?: string } } | undefined)?.error;
    throw new ApiError(res.status, e?.code ?? 'HTTP', e?.message ?? `${res.status} ${res.statusText}`, e?.field);
  }
  return json as T;
}

function withQuery(path: string, query: Query = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** The API with one key: the same routes, answers and errors a script gets. */
export function createClient(key: string): Client {
  return {
    get: (path, query) => request(key, 'GET', withQuery(path, query)),
    setLimit: (tenant, limitUsd) => request(key, 'PATCH', `/budgets/${encodeURIComponent(tenant)}`, { limit_usd: limitUsd }),
    release: (tenant, id) => request(key, 'POST', `/budgets/${encodeURIComponent(tenant)}/reservations/${encodeURIComponent(id)}/release`, {}),
    stopDeployment: (id, reason) => request(key, 'POST', `/deployments/${encodeURIComponent(id)}/kill`, { reason }),
  };
}
