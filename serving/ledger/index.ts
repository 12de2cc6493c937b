export { FileLedger, type FileLedgerOptions } from './file-ledger.js';
export { PgLedger, type PgLedgerOptions } from './pg/pg-ledger.js';
export { MIGRATIONS } from './pg/migrations.js';
export { eventTimeError, isServerScope, modelAllowed } from './rules.js';
export type { FsyncPolicy, JournalFs } from './journal.js';
export {
  DEFAULT_POLICY, DEFAULT_ALERT_THRESHOLDS, LedgerError,
  type Alert, type AlertDelivery, type AlertKind, type AlertWebhook, type DeliveryResult, type RaiseInput, type ReserveOptions,
  type Budget, type BudgetInput, type BudgetPatch, type BudgetStatus, type ChargeInput, type ChargeResult, type Ledger,
  type LedgerErrorCode, type LedgerHealth, type LedgerPolicy, type ModelPolicy, type PriceOverrides, type Reservation,
} from './types.js';
export { windowAt, type BudgetWindow, type WindowRule } from './windows.js';
