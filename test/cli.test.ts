import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FEATURE_SPEC_HASH } from '../features/index.js';
import { readRunRecords } from '../training/index.js';
import { cli, sharedFile, tempDir } from './helpers/index.js';

describe('lutflow CLI', () => {
  it('prints the feature spec as JSON', () => {
    const r = cli(['features', '--json']);
    expect(r.code).toBe(0);
    const spec = JSON.parse(r.stdout);
    expect(spec.features).toHaveLength(35);
    expect(spec.hash).toBe(FEATURE_SPEC_HASH);
  });

  it('answers usage mistakes with exit code 2 and the usage', () => {
    const unknown = cli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
    const missing = cli(['import', 'azure-trace', 'x.csv', '--out', 't']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--model is required/);
    expect(cli(['sample', '--bogus']).stderr).toMatch(/Unknown option '--bogus'/);
  });

  it('lists the closest names for an unknown GPU', () => {
    const r = cli(['lookup', 'gpu', 'NVIDIA L5 GPU']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\[UNKNOWN_GPU\] unknown GPU 'NVIDIA L5 GPU'; closest known: L4/);
    const ok = JSON.parse(cli(['lookup', 'gpu', 'nvidia-l4']).stdout);
    expect(ok.gpu.id).toBe('L4');
    expect(ok.prices[0].on_demand_usd_per_gpu_hour).toBeLessThanOrEqual(ok.prices[ok.prices.length - 1].on_demand_usd_per_gpu_hour);
  });

  it('imports the real LLM-Inference-Bench table and reports what it took', async () => {
    const table = join(tempDir(), 'bench');
    const r = cli(['import', 'llm-inference-bench', sharedFile('llm_inference_bench/All_results.csv'), '--out', table]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ rows_taken: 3922, rows_rejected: 0, version: 0 });
    expect((await readRunRecords(table)).records).toHaveLength(3922);
  });

  it('writes the sample and refuses to overwrite it without --force', async () => {
    const out = tempDir();
    const r = cli(['sample', '--out', out, '--runs', '300', '--seed', '3']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ runs: 300, tenants: 6, telemetry_events: 300 });
    expect(existsSync(join(out, 'telemetry.jsonl'))).toBe(true);
    expect((await readRunRecords(join(out, 'pcpo_runs'))).records).toHaveLength(300);
    const again = cli(['sample', '--out', out, '--runs', '300']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists; pass --force/);
    const lines = cli(['features', '--table', join(out, 'pcpo_runs'), '--limit', '3']).stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0]).features).toHaveLength(35);
  });
});

describe('lutflow start (npm start)', () => {
  it('on a fresh directory: generates the sample, trains, serves, and answers the printed curl', async () => {
    const { spawn } = await import('node:child_process');
    const { ROOT, TSX } = await import('./helpers/index.js');
    const cwd = tempDir('lutflow-start-');
    const child = spawn(process.execPath, ['--import', TSX, join(ROOT, 'cli/main.ts'), 'start', '--port', '0'], { cwd, env: { ...process.env, LUTFLOW_API_KEYS: '', LUTFLOW_LOG_LEVEL: 'warn' } });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    try {
      for (let i = 0; i < 600 && !/curl -s (http:\/\/127\.0\.0\.1:\d+)\/budgets\/acme -H 'authorization: Bearer (\S+)'/.test(out); i++) await new Promise((r) => setTimeout(r, 100));
      const m = /curl -s (http:\/\/127\.0\.0\.1:\d+)\/budgets\/acme -H 'authorization: Bearer (\S+)'/.exec(out);
      expect(m, out).not.toBeNull();
      expect(existsSync(join(cwd, 'data/sample/pcpo_runs/_delta_log'))).toBe(true);
      // The first model is a version in a registry, served through its pointer: what lutflow retrain works on.
      expect(existsSync(join(cwd, 'models/pcpo/current/model-card.json'))).toBe(true);
      expect(readdirSync(join(cwd, 'models/pcpo/versions'))).toHaveLength(1);
      expect(out).toContain('npx lutflow retrain --registry models/pcpo --data data/sample/pcpo_runs');
      const budget = await (await fetch(`${m![1]}/budgets/acme`, { headers: { authorization: `Bearer ${m![2]}` } })).json();
      expect(budget).toMatchObject({ tenant_id: 'acme', limit_usd: 100, window: 'monthly' });
      const body = /-d '(\{.*\})'/.exec(out)![1];
      const pre = await (await fetch(`${m![1]}/preflight`, { method: 'POST', headers: { authorization: `Bearer ${m![2]}`, 'content-type': 'application/json' }, body })).json();
      expect(['allow', 'deny']).toContain(pre.decision);
      expect(pre.predicted_p90_usd).toBeGreaterThan(0);
    } finally {
      child.kill();
    }
  }, 120_000);
});
