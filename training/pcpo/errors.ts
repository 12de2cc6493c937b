export type TrainingErrorCode = 'TOO_FEW_ROWS' | 'BAD_LABEL' | 'NO_DATA';

export class TrainingError extends Error {
  constructor(readonly code: TrainingErrorCode, message: string, readonly field?: string) {
    super(message);
    this.name = 'TrainingError';
  }
}
