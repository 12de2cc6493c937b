export { RUNS_TABLE_SCHEMA, recordToRow, rowToRecord, readRunRecords, appendRunRecords } from './runs-table.js';
export * from './import/index.js';
export * from './sample/index.js';
