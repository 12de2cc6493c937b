/** Every pricing error code, with the data a caller needs to act on it. */
export type PricingErrorCode =
  | 'UNKNOWN_GPU'
  | 'UNKNOWN_MODEL'
  | 'BAD_MODEL_ARCH'
  | 'UNKNOWN_TOKEN_MODEL'
  | 'NO_GPU_PRICE'
  | 'BAD_PRICE_FILE'
  | 'BAD_PRICE';

export class PricingError extends Error {
  readonly code: PricingErrorCode;
  /** The field, row or name at fault. */
  readonly field?: string;
  /** For unknown names: the closest known names, best first. */
  readonly closest: readonly string[];

  constructor(code: PricingErrorCode, message: string, opts: { field?: string; closest?: readonly string[] } = {}) {
    super(message);
    this.name = 'PricingError';
    this.code = code;
    this.field = opts.field;
    this.closest = opts.closest ?? [];
  }
}
