import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readSnapshot, rowProblem } from '../../delta/index.js';
import { LIMITS, TOPICS, validate, type DeadLetter, type RunRecord } from '../../stream/index.js';
import { chunkMessages } from '../../stream/kafka/chunks.js';
import { readRunRecords, recordToRow, RUNS_TABLE_SCHEMA, runRecordSink } from '../../training/index.js';
import { python, ROOT, tempDir, TSX } from '../helpers/index.js';
import { brokers, kafka, readTopic } from '../helpers/kafka.js';
import { apiRun } from '../helpers/records.js';

async function produce(records: (RunRecord | Record<string, unknown>)[]) {
  const p = kafka('runs').producer({ idempotent: true, maxInFlightRequests: 1 });
  await p.connect();
  const messages = records.map((r) => ({ key: String(r.run_id), value: JSON.stringify(r) }));
  for (const chunk of chunkMessages(messages)) await p.send({ topic: TOPICS.runRecords, messages: chunk });
  await p.disconnect();
}

/** Waits until every record in the topic has landed (or been dead-lettered). */
async function caughtUp(sink: Awaited<ReturnType<typeof runRecordSink>>, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if ([...(await sink.lag()).values()].every((n) => n === 0) && sink.stats.held === 0) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

const runs = (tenant: string, n: number): RunRecord[] => Array.from({ length: n }, (_, i) => ({ ...apiRun(), run_id: `${tenant}-${i}`, tenant_id: tenant }));

describe('the run-record sink', () => {
  it('lands the runs around one the contract refuses (requests 3e9), which goes to the DLQ with the reason (issue row 4)', async () => {
    const tenant = `big-${randomUUID()}`;
    const ok = runs(tenant, 10);
    const huge = { ...ok[0], run_id: `${tenant}-huge`, plan: { ...ok[0].plan, requests: 3e9 } };
    // One key: the refused record sits between the others on one partition.
    const p = kafka('runs').producer();
    await p.connect();
    await p.send({ topic: TOPICS.runRecords, messages: [...ok.slice(0, 5), huge, ...ok.slice(5)].map((r) => ({ key: tenant, value: JSON.stringify(r) })) });
    await p.disconnect();
    const table = join(tempDir(), 'runs');
    const sink = await runRecordSink({ kafka: kafka('sink'), table, groupId: `sink-${tenant}`, flushIntervalMs: 200 });
    expect(await caughtUp(sink)).toBe(true);
    await sink.stop();
    expect((await readRunRecords(table)).records.filter((r) => r.tenant_id === tenant).map((r) => r.run_id).sort()).toEqual(ok.map((r) => r.run_id).sort());
    const dead = (await readTopic(`${TOPICS.runRecords}.dlq`, (ms) => ms.some((m) => m.key === tenant))).filter((m) => m.key === tenant).map((m) => JSON.parse(m.value) as DeadLetter);
    expect(dead).toHaveLength(1);
    expect(dead[0].reason).toBe(`/plan/requests must be <= ${LIMITS.requests}`);
    expect(JSON.parse(Buffer.from(dead[0].original_base64, 'base64').toString()).run_id).toBe(huge.run_id);
  });

  it('batches a stream into few commits and files, with checkpoints', async () => {
    const tenant = `batch-${randomUUID()}`;
    await produce(runs(tenant, 3000));
    const table = join(tempDir(), 'runs');
    const sink = await runRecordSink({ kafka: kafka('sink'), table, groupId: `sink-${tenant}`, flushRows: 1000, flushIntervalMs: 500 });
    expect(await caughtUp(sink)).toBe(true);
    await sink.stop();
    const s = await readSnapshot(table);
    expect(sink.stats.commits).toBeLessThanOrEqual(10);
    expect(s.files.size).toBeLessThanOrEqual(10);
    expect((await readRunRecords(table)).records.filter((r) => r.tenant_id === tenant)).toHaveLength(3000);
  });

  it('a full disk stops the sink loudly with nothing committed; once there is room, every run lands (issue row 4)', async () => {
    const tenant = `disk-${randomUUID()}`;
    await produce(runs(tenant, 30));
    const dir = tempDir();
    const mnt = join(dir, 'mnt');
    mkdirSync(mnt);
    const sink = (name: string) => `"${process.execPath}" --import "${TSX}" "${join(ROOT, 'cli/main.ts')}" sink --brokers ${brokers().join(',')} --group sink-${tenant} --table "${mnt}/runs" --once --metrics 0 --flush-interval 200ms --give-up-after 30s 2>"${dir}/${name}.err"; echo $? > "${dir}/${name}.code"`;
    // A real full disk: a 1 MiB tmpfs, filled, in a mount namespace of its own (gone when the script ends).
    const script = [
      `mount -t tmpfs -o size=1m tmpfs "${mnt}"`,
      `dd if=/dev/zero of="${mnt}/filler" bs=4k 2>/dev/null || true`,
      sink('full'),
      `rm "${mnt}/filler"`,
      sink('room'),
      `cp -r "${mnt}/runs" "${dir}/runs"`,
    ].join('\n');
    execFileSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], { cwd: ROOT, timeout: 120_000 });
    expect(readFileSync(join(dir, 'full.code'), 'utf8').trim()).toBe('1');
    const err = readFileSync(join(dir, 'full.err'), 'utf8');
    expect(err).toMatch(/ENOSPC|no space left/i);
    expect(err).toMatch(/"level":"error"/);
    expect(readFileSync(join(dir, 'room.code'), 'utf8').trim()).toBe('0');
    const landed = (await readRunRecords(join(dir, 'runs'))).records.filter((r) => r.tenant_id === tenant);
    expect(landed.map((r) => r.run_id).sort()).toEqual(runs(tenant, 30).map((r) => r.run_id).sort());
    const theirs = JSON.parse(python(['test/delta/deltalake_ref.py', 'read', join(dir, 'runs')])) as { rows: { tenant_id: string }[] };
    expect(theirs.rows.filter((r) => r.tenant_id === tenant)).toHaveLength(30);
  }, 150_000);
});

describe('the runs table holds every record the contract accepts', () => {
  const iso = fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), fc.integer({ min: 0, max: 23 }),
    fc.integer({ min: 0, max: 59 }), fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 12 }), fc.constantFrom('Z', '+00:00', '-07:30', '+14:00'))
    .map(([y, mo, d, h, mi, frac, z]) => `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}:00${frac ? `.${frac}` : ''}${z}`);
  const id = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 });
  const record = fc.record({
    run_id: id, tenant_id: id, launched_at: iso, ended_at: iso,
    plan: fc.record({
      kind: fc.constantFrom('api', 'self_hosted'), provider: id, model: id, gpu_type: id, gpu_count: fc.integer({ min: 1, max: LIMITS.gpuCount }),
      batch_size: fc.integer({ min: 1, max: LIMITS.batchSize }), requests: fc.integer({ min: LIMITS.batchSize, max: LIMITS.requests }),
      prompt_tokens: fc.integer({ min: 0, max: LIMITS.tokens }), max_output_tokens: fc.integer({ min: 1, max: LIMITS.tokens }), spot: fc.boolean(),
    }),
    prices: fc.record({ gpu_usd_per_hour: fc.double({ min: 0, max: LIMITS.gpuUsdPerHour, noNaN: true }), input_usd_per_mtok: fc.double({ min: 0, max: LIMITS.usdPerMtok, noNaN: true }), source: fc.string() }),
    outcome: fc.record({ gpu_seconds: fc.double({ min: 0, max: 1e12, noNaN: true }), input_tokens: fc.integer({ min: 0, max: 1e12 }), output_tokens: fc.integer({ min: 0, max: 1e12 }), cost_usd_micros: fc.integer({ min: 0, max: 1e15 }) }),
  });

  it('so a valid run record can never be refused by the table (contract and table agree)', () => {
    let valid = 0;
    fc.assert(fc.property(record, (r) => {
      const rec = {
        schema_version: 1, run_id: r.run_id, tenant_id: r.tenant_id, launched_at: r.launched_at, plan: r.plan, context: { prices: r.prices },
        outcome: { ended_at: r.ended_at, status: 'succeeded', ...r.outcome },
      };
      const v = validate('lut.pcpo-features', rec);
      if (!v.ok) return;
      valid++;
      expect(rowProblem(recordToRow(v.value), RUNS_TABLE_SCHEMA)).toBeUndefined();
    }), { numRuns: 2000 });
    expect(valid).toBeGreaterThan(500);
  });
});
