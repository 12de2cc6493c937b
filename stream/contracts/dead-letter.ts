import { Type, type Static } from '@sinclair/typebox';
import { Id, Opt, Timestamp } from './common.js';

export const DEAD_LETTER_SCHEMA_VERSION = 1;

export const FieldErrorSchema = Type.Object({
  path: Type.String({ description: 'JSON pointer of the field at fault ("" for the whole record)' }),
  message: Type.String(),
});

/** `<topic>.dlq`: a record that failed validation (or could not be stored), with why and its original bytes. */
export const DeadLetter = Type.Object(
  {
    schema_version: Type.Literal(DEAD_LETTER_SCHEMA_VERSION),
    topic: Id('topic the record was read from'),
    reason: Type.String({ minLength: 1 }),
    errors: Type.Array(FieldErrorSchema),
    original_base64: Type.String({ description: 'the record bytes exactly as received (the first bytes only when original_truncated)' }),
    original_size: Opt(Type.Integer({ minimum: 0, description: 'size of the original record in bytes' })),
    original_sha256: Opt(Type.String({ description: 'sha256 of the original record bytes, hex' })),
    original_truncated: Opt(Type.Boolean({ description: 'true when the record was too large to keep whole' })),
    key: Opt(Type.String()),
    partition: Opt(Type.Integer({ minimum: 0 })),
    offset: Opt(Type.String()),
    received_at: Timestamp('when the record was rejected'),
  },
  { $id: 'lut.dead-letter', title: 'dead-letter envelope', additionalProperties: true },
);
export type DeadLetter = Static<typeof DeadLetter>;
