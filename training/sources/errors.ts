export type SourceErrorCode =
  | 'CONFIG'
  | 'AUTH'
  | 'CONNECTION'
  | 'NOT_FOUND'
  | 'QUERY'
  | 'INCONSISTENT'
  | 'EXTENSION_MISSING';

/** A training-data source that could not deliver: what went wrong, and the setting or table it concerns. */
export class SourceError extends Error {
  constructor(
    readonly code: SourceErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'SourceError';
  }
}
