/** Every error the API answers with: code, HTTP status, and what it means. Clients act on `code`, not text. */
export const API_ERRORS = {
  INVALID_REQUEST: { status: 400, meaning: 'the request does not match the schema; `field` names the first offending field' },
  UNKNOWN_NAME: { status: 400, meaning: 'a GPU or model name the catalog does not know; the message lists the closest names' },
  UNAUTHORIZED: { status: 401, meaning: 'no API key, or an unknown one' },
  FORBIDDEN: { status: 403, meaning: 'the API key is not scoped to this tenant' },
  NOT_FOUND: { status: 404, meaning: 'no such route' },
  BUDGET_NOT_FOUND: { status: 404, meaning: 'the tenant has no budget' },
  RESERVATION_NOT_FOUND: { status: 404, meaning: 'no reservation with this id for this tenant (never made, or forgotten after the settle grace period)' },
  BUDGET_EXISTS: { status: 409, meaning: 'the tenant already has a budget; PATCH it' },
  DEPLOYMENT_DENIED: { status: 409, meaning: 'the deployment\'s pre-flight refused it (its predicted cost does not fit the budget): nothing was started; the body has the prediction and alternatives' },
  BUDGET_EXHAUSTED: { status: 409, meaning: 'nothing remains of the budget to lease; the message says what is spent and held' },
  RESERVATION_SETTLED: { status: 409, meaning: 'the reservation is already settled: a settle charges once (a retried settle lands here)' },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: 'the body is over the size limit (64 KiB; 1 MiB for /telemetry, after gzip is undone)' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, meaning: 'send application/json' },
  INFEASIBLE_PLAN: { status: 422, meaning: 'the plan cannot run as asked (e.g. prompt plus output beyond the context window)' },
  MODEL_UNAVAILABLE: { status: 503, meaning: 'no model is loaded, or it has no target for this run kind' },
  LEDGER_UNAVAILABLE: { status: 503, meaning: 'the budget ledger cannot write (a full disk, a lost database); nothing was changed: retry after `Retry-After` seconds' },
  INTERNAL: { status: 500, meaning: 'an unexpected error; details are in the server log, never in the answer' },
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

export class ApiError extends Error {
  readonly statusCode: number;
  constructor(readonly code: ApiErrorCode, message: string, readonly field?: string) {
    super(message);
    this.name = 'ApiError';
    this.statusCode = API_ERRORS[code].status;
  }
}

export interface ErrorBody {
  error: { code: ApiErrorCode; message: string; field?: string };
}
