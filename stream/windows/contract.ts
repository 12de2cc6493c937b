import { Type, type Static } from '@sinclair/typebox';

export const COST_WINDOW_SCHEMA_VERSION = 1;

/** `lut.cost-windows`: the full state of one 10-second window; a later revision replaces an earlier one. Key: scope/key/window_start. */
export const CostWindow = Type.Object({
  schema_version: Type.Literal(COST_WINDOW_SCHEMA_VERSION),
  scope: Type.Union([Type.Literal('tenant'), Type.Literal('deployment')]),
  key: Type.String({ description: 'tenant id or deployment id' }),
  tenant_id: Type.String(),
  window_start: Type.String({ format: 'date-time' }),
  window_end: Type.String({ format: 'date-time' }),
  spend_usd_micros: Type.Integer({ minimum: 0 }),
  calls: Type.Integer({ minimum: 0 }),
  tokens: Type.Object({ input: Type.Integer(), cached_input: Type.Integer(), cache_write: Type.Integer(), output: Type.Integer(), reasoning: Type.Integer() }),
  gpu_seconds: Type.Number({ minimum: 0 }),
  late_events: Type.Integer({ minimum: 0, description: 'events that arrived after the watermark passed the window end' }),
  revision: Type.Integer({ minimum: 0, description: '0 when the watermark first closes the window; +1 for each late update' }),
}, { $id: 'lut.cost-windows', additionalProperties: true });
export type CostWindow = Static<typeof CostWindow>;
