import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { TOPICS, type ContractTopic } from '../topics.js';
import { RunRecord } from './pcpo-features.js';
import { CostWindow } from '../windows/contract.js';
import { TelemetryEvent } from './telemetry.js';

export interface FieldError {
  /** JSON pointer of the field at fault, e.g. `/plan/gpu_count`; `` for the record as a whole. */
  readonly path: string;
  readonly message: string;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addFormat('date-time', (s: string) => ISO_DATE_TIME.test(s) && !Number.isNaN(Date.parse(s)));

function fieldError(e: ErrorObject): FieldError {
  if (e.keyword === 'required') return { path: `${e.instancePath}/${(e.params as { missingProperty: string }).missingProperty}`, message: 'is required' };
  if (e.keyword === 'const') return { path: e.instancePath, message: `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}` };
  return { path: e.instancePath, message: e.message ?? e.keyword };
}

/** Ajv reports every branch of a union; one message per path is enough to act on. */
function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Map<string, FieldError>();
  for (const e of errors) if (!seen.has(e.path)) seen.set(e.path, e);
  return [...seen.values()];
}

/** Rules a JSON Schema cannot say, checked after the shape is right. */
function runRecordRules(r: RunRecord): FieldError[] {
  const errors: FieldError[] = [];
  if (r.plan.kind === 'self_hosted') {
    if (r.plan.gpu_type === undefined) errors.push({ path: '/plan/gpu_type', message: 'is required for a self_hosted run' });
    if (r.plan.gpu_count === undefined) errors.push({ path: '/plan/gpu_count', message: 'is required for a self_hosted run' });
  }
  if (r.plan.batch_size > r.plan.requests) errors.push({ path: '/plan/batch_size', message: `must not exceed requests (${r.plan.requests})` });
  const o = r.outcome;
  if (o) {
    if (Date.parse(o.ended_at) < Date.parse(r.launched_at)) errors.push({ path: '/outcome/ended_at', message: 'must not be before launched_at' });
    if (o.status === 'succeeded' && r.plan.kind === 'self_hosted' && o.gpu_seconds === undefined) errors.push({ path: '/outcome/gpu_seconds', message: 'is required for a succeeded self_hosted run' });
    if (o.status === 'succeeded' && r.plan.kind === 'api' && o.output_tokens === undefined) errors.push({ path: '/outcome/output_tokens', message: 'is required for a succeeded api run' });
  }
  return errors;
}

function telemetryRules(e: TelemetryEvent): FieldError[] {
  const t = e.tokens;
  const errors: FieldError[] = [];
  if (t?.cached_input !== undefined && t.input !== undefined && t.cached_input > t.input) errors.push({ path: '/tokens/cached_input', message: 'must not exceed input' });
  if (t?.reasoning !== undefined && t.output !== undefined && t.reasoning > t.output) errors.push({ path: '/tokens/reasoning', message: 'must not exceed output' });
  return errors;
}

function costWindowRules(w: CostWindow): FieldError[] {
  return Date.parse(w.window_end) > Date.parse(w.window_start) ? [] : [{ path: '/window_end', message: 'must be after window_start' }];
}

interface Contract<T> {
  readonly check: ValidateFunction;
  readonly rules: (value: T) => FieldError[];
}

const CONTRACTS = {
  [TOPICS.telemetry]: { check: ajv.compile(TelemetryEvent), rules: telemetryRules },
  [TOPICS.runRecords]: { check: ajv.compile(RunRecord), rules: runRecordRules },
  [TOPICS.costWindows]: { check: ajv.compile(CostWindow), rules: costWindowRules },
} as { [K in ContractTopic]: Contract<TopicTypes[K]> };

export interface TopicTypes {
  [TOPICS.telemetry]: TelemetryEvent;
  [TOPICS.runRecords]: RunRecord;
  [TOPICS.costWindows]: CostWindow;
}

/** The one validation function for every contract: the shape, then the cross-field rules. */
export function validate<K extends ContractTopic>(topic: K, value: unknown): Validation<TopicTypes[K]> {
  const contract: Contract<TopicTypes[K]> | undefined = CONTRACTS[topic];
  if (!contract) throw new Error(`no contract for topic '${topic}'`);
  if (!contract.check(value)) return { ok: false, errors: dedupe((contract.check.errors ?? []).map(fieldError)) };
  const errors = contract.rules(value as TopicTypes[K]);
  return errors.length ? { ok: false, errors } : { ok: true, value: value as TopicTypes[K] };
}

/** Bytes off the wire to a valid record, or the field errors (a parse failure is an error on the whole record). */
export function decode<K extends ContractTopic>(topic: K, bytes: Uint8Array | string): Validation<TopicTypes[K]> {
  let value: unknown;
  try {
    value = JSON.parse(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    return { ok: false, errors: [{ path: '', message: `not JSON: ${(err as Error).message}` }] };
  }
  return validate(topic, value);
}

/** Thrown where a caller cannot route a bad record to a dead-letter topic (library entry points, importers). */
export class ContractError extends Error {
  readonly code = 'INVALID_RECORD';
  constructor(readonly topic: string, readonly errors: readonly FieldError[], where = '') {
    super(`invalid ${topic} record${where}: ${errors.map((e) => `${e.path || '(record)'} ${e.message}`).join('; ')}`);
    this.name = 'ContractError';
  }
}

export function assertValid<K extends ContractTopic>(topic: K, value: unknown, where = ''): TopicTypes[K] {
  const v = validate(topic, value);
  if (!v.ok) throw new ContractError(topic, v.errors, where);
  return v.value;
}
