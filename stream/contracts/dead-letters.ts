import { DEAD_LETTER_SCHEMA_VERSION, type DeadLetter } from './dead-letter.js';
import type { FieldError } from './validate.js';

export interface DeadLetterSource {
  readonly topic: string;
  readonly bytes: Uint8Array | string;
  readonly key?: string;
  readonly partition?: number;
  readonly offset?: string;
}

/** Wraps a rejected record for `<topic>.dlq`, keeping its exact bytes. */
export function toDeadLetter(src: DeadLetterSource, errors: readonly FieldError[], now: Date = new Date()): DeadLetter {
  const bytes = typeof src.bytes === 'string' ? Buffer.from(src.bytes, 'utf8') : Buffer.from(src.bytes);
  return {
    schema_version: DEAD_LETTER_SCHEMA_VERSION,
    topic: src.topic,
    reason: errors.map((e) => `${e.path || '(record)'} ${e.message}`).join('; ') || 'invalid record',
    errors: errors.map((e) => ({ path: e.path, message: e.message })),
    original_base64: bytes.toString('base64'),
    key: src.key,
    partition: src.partition,
    offset: src.offset,
    received_at: now.toISOString(),
  };
}
