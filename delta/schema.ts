import { DeltaError } from './errors.js';

/** Delta primitive types this writer supports; the reader accepts whatever the parquet holds. */
export type DeltaPrimitive = 'string' | 'long' | 'integer' | 'short' | 'byte' | 'double' | 'float' | 'boolean' | 'timestamp' | 'timestamp_ntz' | 'date' | 'binary';

export interface DeltaField {
  readonly name: string;
  readonly type: DeltaPrimitive | Record<string, unknown>;
  readonly nullable: boolean;
  readonly metadata: Record<string, unknown>;
}

export interface DeltaSchema {
  readonly type: 'struct';
  readonly fields: readonly DeltaField[];
}

export const field = (name: string, type: DeltaPrimitive, nullable = true): DeltaField => ({ name, type, nullable, metadata: {} });

export function parseSchemaString(schemaString: string, where: string): DeltaSchema {
  try {
    const s = JSON.parse(schemaString) as DeltaSchema;
    if (s.type !== 'struct' || !Array.isArray(s.fields)) throw new Error('not a struct schema');
    return s;
  } catch (err) {
    throw new DeltaError('CORRUPT_LOG', `${where}: metaData.schemaString is not a Delta struct schema: ${(err as Error).message}`, where);
  }
}

/** Two schemas are the same table when they have the same columns, types and nullability in order. */
export function sameSchema(a: DeltaSchema, b: DeltaSchema): boolean {
  return a.fields.length === b.fields.length && a.fields.every((f, i) => f.name === b.fields[i].name && JSON.stringify(f.type) === JSON.stringify(b.fields[i].type) && f.nullable === b.fields[i].nullable);
}

export function primitiveType(f: DeltaField): DeltaPrimitive {
  if (typeof f.type !== 'string') throw new DeltaError('SCHEMA_MISMATCH', `column '${f.name}': nested types are not supported by this writer`, f.name);
  return f.type;
}
