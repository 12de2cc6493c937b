export { DeltaError, type DeltaErrorCode } from './errors.js';
export { field, parseSchemaString, sameSchema, type DeltaField, type DeltaPrimitive, type DeltaSchema } from './schema.js';
export { readSnapshot, latestVersion, type Snapshot, type AddAction, type MetadataAction, type ProtocolAction } from './log.js';
export { readDeltaTable, type DeltaRow, type DeltaValue, type DeltaTableData, type ReadOptions } from './read.js';
export { isoFromMicros, microsFromTimestamp } from './timestamps.js';
export { appendToDeltaTable, type AppendOptions, type AppendResult } from './write.js';
