export { buildServer, type ServerOptions } from './app.js';
export { parseApiKeys, KeyRing, type ApiKey } from './auth.js';
export { API_ERRORS, ApiError, type ApiErrorCode } from './errors.js';
export {
  FileLedger, PgLedger, MIGRATIONS, LedgerError, DEFAULT_POLICY, windowAt,
  type Budget, type BudgetStatus, type Reservation, type Ledger, type LedgerPolicy, type FsyncPolicy, type JournalFs,
} from './ledger/index.js';
export { ModelRegistry } from './model-registry.js';
