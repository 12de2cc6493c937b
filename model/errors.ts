export type ModelErrorCode =
  | 'MODEL_MALFORMED'
  | 'MODEL_UNSUPPORTED'
  | 'MODEL_FOREIGN_SPEC'
  | 'MODEL_NOT_FOUND'
  | 'BAD_VECTOR';

/** A model file that cannot be served, with the file and the field at fault. */
export class ModelError extends Error {
  constructor(readonly code: ModelErrorCode, message: string, readonly field?: string) {
    super(message);
    this.name = 'ModelError';
  }
}
