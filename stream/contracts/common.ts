import { Type, type TSchema } from '@sinclair/typebox';

/** No control characters (NUL above all): ids are keys in every store, and PostgreSQL's text refuses NUL. */
export const PRINTABLE = '^[^\\u0000-\\u001F\\u007F]+$';
export const Id = (description: string) => Type.String({ minLength: 1, maxLength: 256, pattern: PRINTABLE, description });
export const Timestamp = (description: string) => Type.String({ format: 'date-time', description });
export const Count = (description: string) => Type.Integer({ minimum: 0, maximum: 1e12, description });
/** At most $1e9 in one record: every sum of them stays a safe integer long before a ledger could overflow. */
export const Micros = (description: string) => Type.Integer({ minimum: 0, maximum: 1e15, description: `${description}, integer micro-USD` });
export const NonNegative = (description: string) => Type.Number({ minimum: 0, maximum: 1e12, description });
export const Opt = <T extends TSchema>(s: T) => Type.Optional(s);

/**
 * Upper bounds of a launch plan. Far above any real run, low enough that every derived quantity (tokens in
 * all, GPU-seconds, micro-dollars) stays a finite, safe number, and that the run table's int32 columns hold them.
 */
export const LIMITS = {
  gpuCount: 4096,
  batchSize: 1_000_000,
  requests: 1_000_000_000,
  /** Per request, prompt or output: ten times the longest context window on sale. */
  tokens: 100_000_000,
  gpuUsdPerHour: 10_000,
  usdPerMtok: 100_000,
} as const;
