import { Type, type TSchema } from '@sinclair/typebox';

export const Id = (description: string) => Type.String({ minLength: 1, maxLength: 256, description });
export const Timestamp = (description: string) => Type.String({ format: 'date-time', description });
export const Count = (description: string) => Type.Integer({ minimum: 0, description });
export const Micros = (description: string) => Type.Integer({ minimum: 0, description: `${description}, integer micro-USD` });
export const NonNegative = (description: string) => Type.Number({ minimum: 0, description });
export const Opt = <T extends TSchema>(s: T) => Type.Optional(s);
