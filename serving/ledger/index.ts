export { BudgetLedger, LedgerError, type Budget, type BudgetInput, type BudgetStatus, type Reservation, type LedgerOptions, type LedgerErrorCode } from './ledger.js';
export { windowAt, type BudgetWindow, type WindowRule } from './windows.js';
