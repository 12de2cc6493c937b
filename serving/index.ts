export { buildServer, type ServerOptions } from './app.js';
export { parseApiKeys, KeyRing, type ApiKey } from './auth.js';
export { API_ERRORS, ApiError, type ApiErrorCode } from './errors.js';
export { BudgetLedger, LedgerError, windowAt, type Budget, type BudgetStatus, type Reservation } from './ledger/index.js';
export { ModelRegistry } from './model-registry.js';
