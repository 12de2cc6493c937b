export { FileLedger, eventTimeError, type FileLedgerOptions } from './file-ledger.js';
export type { FsyncPolicy, JournalFs } from './journal.js';
export {
  DEFAULT_POLICY, LedgerError,
  type Budget, type BudgetInput, type BudgetPatch, type BudgetStatus, type ChargeInput, type ChargeResult, type Ledger,
  type LedgerErrorCode, type LedgerHealth, type LedgerPolicy, type PriceOverrides, type Reservation,
} from './types.js';
export { windowAt, type BudgetWindow, type WindowRule } from './windows.js';
