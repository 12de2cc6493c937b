import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../pricing/index.js';
import type { RunRecord } from '../../stream/index.js';
import { appendRunRecords, readRunRecords, trainPcpo, type RetrainReport } from '../../training/index.js';
import { ROOT, TSX, tempDir } from '../helpers/index.js';
import { killAll, spawnServe } from '../serving/serve-process.js';

const SAMPLE = join(ROOT, 'data/sample/pcpo_runs');
const KEY = 'retrain-test-admin-key-0123';
const FAST = ['--rounds', '40', '--folds', '2'];
let sample: RunRecord[];
let dir: string;

/** The labels (GPU-seconds, output tokens) dealt out again at random among runs of the same kind. */
function shuffled(records: readonly RunRecord[], seed: number): RunRecord[] {
  let s = seed;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const out = records.map((r) => ({ ...r, outcome: r.outcome ? { ...r.outcome } : r.outcome }));
  for (const field of ['gpu_seconds', 'output_tokens'] as const) {
    const idx = out.map((r, i) => [r, i] as const).filter(([r]) => r.outcome?.[field] !== undefined).map(([, i]) => i);
    const values = idx.map((i) => out[i].outcome![field]!);
    for (let k = values.length - 1; k > 0; k--) {
      const j = Math.floor(rand() * (k + 1));
      [values[k], values[j]] = [values[j], values[k]];
    }
    idx.forEach((i, k) => ((out[i].outcome as Record<string, unknown>)[field] = values[k]));
  }
  return out;
}

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, ['--import', TSX, join(ROOT, 'cli/main.ts'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

async function servingVersion(base: string): Promise<string | null> {
  const r = await fetch(`${base}/models`, { headers: { authorization: `Bearer ${KEY}` } });
  return ((await r.json()) as { model: { version: string } | null }).model?.version ?? null;
}

async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  sample = (await readRunRecords(SAMPLE)).records;
  dir = tempDir('lutflow-retrain-');
  // Every label shuffled: a model that learned nothing.
  await appendRunRecords(join(dir, 'shuffled'), shuffled(sample, 7));
  // A corrupted backfill: the older 80 % shuffled, the newest 20 % (the held-out slice) intact.
  const cut = Math.floor(sample.length * 0.8);
  await appendRunRecords(join(dir, 'backfill'), [...shuffled(sample.slice(0, cut), 9), ...sample.slice(cut)]);
});

afterAll(() => killAll());

describe('acceptance: scheduled retraining with a promotion gate', () => {
  it('promotes a better candidate that serving picks up without a restart, refuses a worse one, rolls back', async () => {
    const registry = join(dir, 'registry');
    const bad = trainPcpo({ records: (await readRunRecords(join(dir, 'shuffled'))).records, out: join(dir, 'bad'), catalog: builtinCatalog(), source: 'shuffled', rounds: 40, folds: 2 });
    const added = await run(['models', 'add', join(dir, 'bad'), '--registry', registry, '--promote']);
    expect(added.code, added.stderr).toBe(0);

    // The server retrains on its own schedule: once, a few seconds from now (the next run is a minute later).
    const at = (new Date().getSeconds() + 6) % 60;
    const { base, child } = await spawnServe(['--model', registry, '--ledger', join(dir, 'ledger'), '--retrain', `${at} * * * * *`, '--retrain-data', SAMPLE], { LUTFLOW_API_KEYS: `${KEY}=*` });
    expect(await servingVersion(base)).toBe(bad.card.model_version);

    const promoted = await until(() => servingVersion(base), (v) => v !== bad.card.model_version, 90_000);
    expect(promoted).not.toBe(bad.card.model_version);
    expect(child.exitCode).toBeNull();
    const reports = () => readFileSync(join(registry, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(reports().at(-1)).toMatchObject({ action: 'promote', version: promoted, previous: bad.card.model_version });
    const card = JSON.parse(readFileSync(join(registry, 'versions', promoted!, 'model-card.json'), 'utf8'));
    expect(card.data).toMatchObject({ source: SAMPLE, delta_version: 0, rows: 2400, pull: { mode: 'full', new_rows: 3000 } });

    // A candidate learned from a corrupted backfill is refused; the good model keeps serving.
    const worse = await run(['retrain', '--registry', registry, '--data', join(dir, 'backfill'), ...FAST]);
    expect(worse.code, worse.stderr).toBe(0);
    const report = JSON.parse(worse.stdout) as RetrainReport;
    expect(report.decision).toBe('kept');
    expect(report.current?.version).toBe(promoted);
    expect(report.holdout?.rows).toBe(600);
    expect(report.reasons.join(' ')).toMatch(/median APE .* against the current model's/);
    expect(report.verdict!.by_kind.self_hosted!.candidate.median_ape!).toBeGreaterThan(report.verdict!.by_kind.self_hosted!.current!.median_ape!);
    expect(existsSync(report.report_file!)).toBe(true);
    // One JSON log line per run on stderr.
    const line = worse.stderr.split('\n').filter((l) => l.startsWith('{"event":"retrain"')).map((l) => JSON.parse(l));
    expect(line).toEqual([expect.objectContaining({ decision: 'kept', candidate: report.candidate!.version, serving: promoted })]);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await servingVersion(base)).toBe(promoted);
    const prom = readFileSync(join(registry, 'retrain.prom'), 'utf8');
    expect(prom).toMatch(/^lutflow_retrain_runs_total\{decision="promoted"\} 1$/m);
    expect(prom).toMatch(/^lutflow_retrain_runs_total\{decision="kept"\} 1$/m);
    expect(prom).toMatch(/^lutflow_retrain_last_promoted 0$/m);

    const list = JSON.parse((await run(['models', 'list', '--registry', registry, '--json'])).stdout);
    expect(list.current).toBe(promoted);
    expect(list.versions.map((v: { version: string; refused: boolean }) => [v.version, v.refused])).toEqual([
      [bad.card.model_version, false],
      [promoted, false],
      [report.candidate!.version, true],
    ]);

    // Rollback restores the version that served before, again without a restart.
    const back = await run(['models', 'rollback', '--registry', registry]);
    expect(back.code, back.stderr).toBe(0);
    expect(await until(() => servingVersion(base), (v) => v === bad.card.model_version, 10_000)).toBe(bad.card.model_version);
    // Nothing further back to go to.
    expect((await run(['models', 'rollback', '--registry', registry])).stderr).toMatch(/NOTHING_TO_ROLL_BACK/);
    // A hand promotion restores the good one.
    expect((await run(['models', 'promote', promoted!, '--registry', registry])).code).toBe(0);
    expect(await until(() => servingVersion(base), (v) => v === promoted, 10_000)).toBe(promoted);
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  });
});

describe('lutflow retrain and models: bad input', () => {
  it('says what is wrong, exits 2 for usage and 1 for failures, and leaves the registry as it was', async () => {
    const registry = join(dir, 'empty-registry');
    expect((await run(['retrain', '--data', SAMPLE])).code).toBe(2);
    expect((await run(['retrain', '--registry', registry, '--data', SAMPLE, '--holdout', '0.95'])).stderr).toMatch(/--holdout: expected a number between 0 and 0.9/);
    const missing = await run(['retrain', '--registry', registry, '--data', join(dir, 'nope')]);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toMatchObject({ decision: 'failed', error: expect.stringMatching(/not a Delta table|no such/) });
    expect(readFileSync(join(registry, 'retrain.prom'), 'utf8')).toMatch(/decision="failed"\} 1/);
    expect((await run(['models', 'promote', 'pcpo-nope', '--registry', registry])).stderr).toMatch(/NO_SUCH_VERSION/);
    expect((await run(['models', 'frobnicate', '--registry', registry])).code).toBe(2);
    expect((await run(['serve', '--model', registry, '--retrain', 'every day', '--retrain-data', SAMPLE])).stderr).toMatch(/not a cron expression/);
    expect((await run(['serve', '--model', SAMPLE, '--retrain', '0 3 * * *', '--retrain-data', SAMPLE])).stderr).toMatch(/needs --model to be a registry/);
  });
});
