export { RUNS_TABLE_SCHEMA, recordToRow, rowToRecord, readRunRecords, appendRunRecords } from './runs-table.js';
export * from './import/index.js';
export * from './sample/index.js';
export * from './pcpo/index.js';
export { fitBooster, type FitOptions, type FitResult, type Matrix, type RoundReport } from './xgboost/booster.js';
export { loadAllRuns, loadRuns, type LoadedRuns, type LoadOptions } from './load.js';
export { runRecordSink, type RunRecordSink, type RunRecordSinkOptions } from './run-record-sink.js';
export * from './sources/index.js';
export * from './registry/index.js';
