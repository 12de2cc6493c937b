import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { schemaFiles } from '../../cli/commands/schemas.js';
import { decode, keyFor, toDeadLetter, validate, type TelemetryEvent } from '../../stream/index.js';
import { ROOT } from '../helpers/index.js';
import { apiRun } from '../helpers/records.js';


const event = (): TelemetryEvent => ({
  schema_version: 1, event_id: 'e1', event_time: '2026-10-01T10:00:00.123Z', tenant_id: 'acme', provider: 'openai', model: 'gpt-4o',
  tokens: { input: 100, cached_input: 20, output: 50, reasoning: 10 }, cost_usd_micros: 750, latency_ms: 812, outcome: 'ok',
});

describe('lut.pcpo-features contract', () => {
  it('accepts a valid run record and tolerates unknown extra fields', () => {
    expect(validate('lut.pcpo-features', apiRun()).ok).toBe(true);
    expect(validate('lut.pcpo-features', { ...apiRun(), producer: 'x' }).ok).toBe(true);
  });

  it('names every field at fault', () => {
    const bad = apiRun() as unknown as Record<string, any>;
    delete bad.tenant_id;
    bad.plan.requests = 0;
    bad.plan.precision = 'fp7';
    bad.launched_at = 'yesterday';
    const v = validate('lut.pcpo-features', bad);
    expect(v.ok).toBe(false);
    const paths = !v.ok ? v.errors.map((e) => e.path).sort() : [];
    expect(paths).toEqual(['/launched_at', '/plan/precision', '/plan/requests', '/tenant_id']);
  });

  it('checks the rules a schema cannot say', () => {
    const sh = { ...apiRun(), plan: { ...apiRun().plan, kind: 'self_hosted' as const } };
    const v = validate('lut.pcpo-features', sh);
    expect(!v.ok && v.errors.map((e) => e.path)).toEqual(['/plan/gpu_type', '/plan/gpu_count', '/outcome/gpu_seconds']);
    const early = apiRun();
    early.outcome!.ended_at = '2026-10-01T09:00:00Z';
    expect(validate('lut.pcpo-features', early)).toMatchObject({ ok: false, errors: [{ path: '/outcome/ended_at' }] });
    const wrongVersion = { ...apiRun(), schema_version: 2 };
    expect(validate('lut.pcpo-features', wrongVersion)).toMatchObject({ ok: false, errors: [{ path: '/schema_version', message: 'must be 1' }] });
  });
});

describe('lut.telemetry contract', () => {
  it('accepts a valid event and refuses impossible counts', () => {
    expect(validate('lut.telemetry', event()).ok).toBe(true);
    const e = event();
    e.tokens!.cached_input = 500;
    e.cost_usd_micros = 1.5;
    const v = validate('lut.telemetry', e);
    expect(!v.ok && v.errors.map((x) => x.path)).toEqual(['/cost_usd_micros']);
    const v2 = validate('lut.telemetry', { ...event(), tokens: { input: 1, cached_input: 5 } });
    expect(!v2.ok && v2.errors).toEqual([{ path: '/tokens/cached_input', message: 'must not exceed input' }]);
  });
});

describe('dead letters', () => {
  it('keeps the original bytes and the reason', () => {
    const bytes = Buffer.from('{"schema_version":1,"event_id":');
    const v = decode('lut.telemetry', bytes);
    expect(v.ok).toBe(false);
    const dl = toDeadLetter({ topic: 'lut.telemetry', bytes, key: 'acme', partition: 2, offset: '17' }, !v.ok ? v.errors : [], new Date('2026-01-01T00:00:00Z'));
    expect(Buffer.from(dl.original_base64, 'base64').equals(bytes)).toBe(true);
    expect(dl.reason).toMatch(/^\(record\) not JSON/);
    expect(dl).toMatchObject({ topic: 'lut.telemetry', key: 'acme', partition: 2, offset: '17', received_at: '2026-01-01T00:00:00.000Z' });
  });
});

describe('published JSON Schemas', () => {
  it('match the contracts (regenerate with: lutflow schemas --out stream/schemas)', () => {
    for (const [name, text] of Object.entries(schemaFiles())) {
      expect(readFileSync(join(ROOT, 'stream/schemas', name), 'utf8'), name).toBe(text);
      const schema = JSON.parse(text);
      expect(schema.properties.schema_version.const).toBe(1);
    }
  });
});

describe('keys', () => {
  it('follow the contracts: telemetry by tenant (ordered per tenant), run records by run id', () => {
    expect(keyFor('lut.telemetry', event())).toBe('acme');
    expect(keyFor('lut.telemetry', { ...event(), deployment_id: 'dep-1' })).toBe('acme');
    expect(keyFor('lut.pcpo-features', apiRun())).toBe('r1');
    expect(keyFor('lut.cost-windows', apiRun())).toBeUndefined();
  });
});
