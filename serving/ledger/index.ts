export { FileLedger, type FileLedgerOptions } from './file-ledger.js';
export { PgLedger, type PgLedgerOptions } from './pg/pg-ledger.js';
export { MIGRATIONS } from './pg/migrations.js';
export { eventTimeError } from './rules.js';
export type { FsyncPolicy, JournalFs } from './journal.js';
export {
  DEFAULT_POLICY, LedgerError,
  type Budget, type BudgetInput, type BudgetPatch, type BudgetStatus, type ChargeInput, type ChargeResult, type Ledger,
  type LedgerErrorCode, type LedgerHealth, type LedgerPolicy, type PriceOverrides, type Reservation,
} from './types.js';
export { windowAt, type BudgetWindow, type WindowRule } from './windows.js';
