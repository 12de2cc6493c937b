import { Type, type Static } from '@sinclair/typebox';
import { Id, Opt, Timestamp } from './common.js';

export const DEAD_LETTER_SCHEMA_VERSION = 1;

export const FieldErrorSchema = Type.Object({
  path: Type.String({ description: 'JSON pointer of the field at fault ("" for the whole record)' }),
  message: Type.String(),
});

/** `<topic>.dlq`: a record that failed validation, with why and its original bytes. */
export const DeadLetter = Type.Object(
  {
    schema_version: Type.Literal(DEAD_LETTER_SCHEMA_VERSION),
    topic: Id('topic the record was read from'),
    reason: Type.String({ minLength: 1 }),
    errors: Type.Array(FieldErrorSchema),
    original_base64: Type.String({ description: 'the record bytes exactly as received' }),
    key: Opt(Type.String()),
    partition: Opt(Type.Integer({ minimum: 0 })),
    offset: Opt(Type.String()),
    received_at: Timestamp('when the record was rejected'),
  },
  { $id: 'lut.dead-letter', title: 'dead-letter envelope', additionalProperties: true },
);
export type DeadLetter = Static<typeof DeadLetter>;
