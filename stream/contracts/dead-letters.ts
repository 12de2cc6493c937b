import { createHash } from 'node:crypto';
import { DEAD_LETTER_SCHEMA_VERSION, type DeadLetter } from './dead-letter.js';
import type { FieldError } from './validate.js';

export interface DeadLetterSource {
  readonly topic: string;
  readonly bytes: Uint8Array | string;
  readonly key?: string;
  readonly partition?: number;
  readonly offset?: string;
}

/** A dead letter fits one Kafka record with room to spare (brokers refuse a batch over 1 MiB by default). */
export const DEAD_LETTER_MAX_BYTES = 256 * 1024;
const MAX_ERRORS = 50;
const MAX_TEXT = 1000;

const clip = (s: string, n = MAX_TEXT) => (s.length > n ? `${s.slice(0, n)}…` : s);

/**
 * Wraps a rejected record for `<topic>.dlq` with the reason, its position, its size and sha256, and its
 * bytes: all of them when they fit in `maxBytes`, else as many as fit (`original_truncated`).
 */
export function toDeadLetter(
  src: DeadLetterSource,
  errors: readonly FieldError[],
  now: Date = new Date(),
  maxBytes = DEAD_LETTER_MAX_BYTES,
): DeadLetter {
  const bytes = typeof src.bytes === 'string' ? Buffer.from(src.bytes, 'utf8') : Buffer.from(src.bytes);
  const shown = errors.slice(0, MAX_ERRORS).map((e) => ({ path: clip(e.path), message: clip(e.message) }));
  const more = errors.length > MAX_ERRORS ? `; and ${errors.length - MAX_ERRORS} more` : '';
  const letter: DeadLetter = {
    schema_version: DEAD_LETTER_SCHEMA_VERSION,
    topic: src.topic,
    reason:
      clip(shown.map((e) => `${e.path || '(record)'} ${e.message}`).join('; ') || 'invalid record', 4 * MAX_TEXT) +
      more,
    errors: shown,
    original_base64: '',
    original_size: bytes.length,
    original_sha256: createHash('sha256').update(bytes).digest('hex'),
    key: src.key === undefined ? undefined : clip(src.key),
    partition: src.partition,
    offset: src.offset,
    received_at: now.toISOString(),
  };
  const room = Math.floor(((maxBytes - Buffer.byteLength(JSON.stringify(letter)) - 64) * 3) / 4);
  if (bytes.length <= room) return { ...letter, original_base64: bytes.toString('base64') };
  return {
    ...letter,
    original_base64: bytes.subarray(0, Math.max(0, room)).toString('base64'),
    original_truncated: true,
  };
}
