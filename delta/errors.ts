export type DeltaErrorCode =
  | 'NOT_A_TABLE'
  | 'VERSION_NOT_FOUND'
  | 'UNSUPPORTED_PROTOCOL'
  | 'CORRUPT_LOG'
  | 'SCHEMA_MISMATCH'
  | 'BAD_ROW'
  | 'COMMIT_CONFLICT'
  | 'TXN_CONFLICT';

export class DeltaError extends Error {
  constructor(
    readonly code: DeltaErrorCode,
    message: string,
    /** The file, column or row at fault. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DeltaError';
  }
}
