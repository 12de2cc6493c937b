export { DeltaError, type DeltaErrorCode } from './errors.js';
export { field, parseSchemaString, sameSchema, type DeltaField, type DeltaPrimitive, type DeltaSchema } from './schema.js';
export { readSnapshot, updateSnapshot, latestVersion, type Snapshot, type AddAction, type MetadataAction, type ProtocolAction } from './log.js';
export { readDeltaTable, readDataFile, type DeltaRow, type DeltaValue, type DeltaTableData, type ReadOptions } from './read.js';
export { isoFromMicros, microsFromTimestamp } from './timestamps.js';
export { appendToDeltaTable, type AppendOptions, type AppendResult } from './write.js';
export { writeCheckpoint, DEFAULT_CHECKPOINT_INTERVAL } from './checkpoint.js';
export { rowProblem } from './data-file.js';
export { optimizeDeltaTable, type OptimizeOptions, type OptimizeResult } from './optimize.js';
