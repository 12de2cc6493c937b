import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../pricing/index.js';
import type { DeploymentView } from '../../serving/deployments/view.js';
import { cli, tempDir } from '../helpers/index.js';
import { ADMIN, modelDir } from '../serving/fixtures.js';
import { killAll, killHard, spawnServe } from '../serving/serve-process.js';
import { groupAlive, modelServerCommand, until } from './helpers.js';

const KEYS = `${ADMIN}=*`;
let base = '';
let ledger = '';
let model = '';
let serveProcess: ChildProcess;
const admin = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
const api = async (method: string, path: string, body?: unknown) => (await fetch(`${base}${path}`, { method, headers: admin, body: body === undefined ? undefined : JSON.stringify(body) })).json();
const lutflow = (...args: string[]) => cli([...args.slice(0, 1), '--endpoint', base, '--api-key', ADMIN, ...args.slice(1)]);
const env = { LUTFLOW_API_KEYS: KEYS, LUTFLOW_DEPLOY_GRACE_MS: '2000', LUTFLOW_DEPLOY_HEALTH_TIMEOUT_MS: '20000' };

beforeAll(async () => {
  ledger = tempDir();
  model = modelDir();
  ({ base, child: serveProcess } = await spawnServe(['--model', model, '--ledger', ledger, '--fsync', 'never'], env));
  await api('POST', '/budgets', { tenant_id: 'acme', limit_usd: 10 });
  await api('POST', '/budgets', { tenant_id: 'globex', limit_usd: 0.001 });
});
afterAll(() => killAll());

describe('lutflow deploy, status, report and kill against a real server', () => {
  it('deploys with a budget lasting about 5 s of its GPU price: metered, killed for the budget, status and report agree', async () => {
    const perHour = builtinCatalog().gpuPrices.quote('L4').microsPerGpuHour;
    const budgetMicros = Math.round((perHour * 5) / 3600);
    const r = lutflow('deploy', '--model', 'TinyLlama/TinyLlama-1.1B-Chat-v1.0', '--gpu', 'L4', '--tenant', 'acme', '--budget', String(budgetMicros / 1e6), '--wait', '--', ...modelServerCommand());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/pre-flight: 1 x L4 at \$\d+\.\d{4}\/GPU-hour/);
    expect(r.stdout).toMatch(/decision: allow/);
    const id = /deployment (d-[0-9a-f]{8}) starting/.exec(r.stdout)![1];
    expect(r.stdout).toMatch(/state\s+killed \(budget, by meter\)/);
    const status: DeploymentView = JSON.parse(lutflow('status', id, '--json').stdout);
    const report = JSON.parse(lutflow('report', id, '--json').stdout);
    const tickMicros = Math.ceil(perHour / 3600); // one 1-second tick at this price
    expect(status).toMatchObject({ state: 'killed', reason: 'budget' });
    // Metered until the server was gone: the budget, plus the time from the decision to the exit at the GPU's
    // price (a loaded machine takes longer to end a process), within one tick's rounding.
    const afterDecision = Math.round((perHour * status.stop!.latency_ms!) / 3_600_000);
    expect(Math.abs(status.spent_micros - budgetMicros - afterDecision)).toBeLessThanOrEqual(tickMicros);
    expect(report.actual.spent_micros).toBe(status.spent_micros);
    expect(report.actual.settled_usd).toBe(status.spent_usd);
    expect(report.reason).toBe('budget');
    expect(await api('GET', `/budgets/${encodeURIComponent(status.scope)}`)).toMatchObject({ spent_micros: status.spent_micros, reserved_micros: 0 });
    const table = lutflow('status');
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+TENANT\s+MODEL\s+GPU\s+RUNTIME\s+STATE\s+REASON\s+SPENT\s+RATE\s+AGE$/);
    expect(table.stdout).toMatch(new RegExp(`${id}\\s+acme\\s+TinyLlama/TinyLlama-1.1B-Chat-v1.0\\s+1 x L4\\s+local\\s+killed\\s+budget`));
    expect(lutflow('report', id).stdout).toMatch(/cost\s+\$\d+\.\d{6} held \(budget\)\s+\$\d+\.\d{6} metered/);
  });

  it('refuses a deploy that does not fit before anything starts, printing the alternatives', () => {
    const r = lutflow('deploy', '--model', 'llama-3-8b', '--gpu', 'H100', '--gpus', '2', '--tenant', 'globex', '--max-duration', '1h', '--', ...modelServerCommand());
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/decision: deny — the deployment needs \$\d+\.\d+ held, more than the \$0\.001000 that remains/);
    expect(r.stdout).toMatch(/configurations that fit:\nCHANGE\s+RATE\s+P90\s+LASTS/);
    expect(r.stderr).toMatch(/\[DEPLOYMENT_DENIED\] the deployment was refused: nothing was started/);
    expect(JSON.parse(lutflow('status', '--tenant', 'globex', '--json').stdout)).toEqual([]);
    // Without --gpu, deploy picks the cheapest GPU type that holds the weights (16 GB of llama-3-8b: not a T4).
    const auto = lutflow('deploy', '--model', 'llama-3-8b', '--tenant', 'globex', '--budget', '0.01', '--json');
    expect(auto.code).toBe(1);
    const gpu = JSON.parse(auto.stdout).alternatives.at(-1).gpu_type;
    expect(builtinCatalog().gpus.get(gpu).memoryGb).toBeGreaterThan(16);
  });

  it('kill stops a running deployment with the reason given; bad input is a usage error', async () => {
    const r = lutflow('deploy', '--model', 'tiny-test', '--gpu', 'T4', '--tenant', 'acme', '--budget', '1', '--json', '--', ...modelServerCommand());
    const id = JSON.parse(r.stdout).deployment.id;
    await until(async () => (await api('GET', `/deployments/${id}`)).state === 'running', 'running');
    const k = lutflow('kill', id, '--reason', 'overspend');
    expect(k.stdout).toMatch(/state\s+killed \(overspend, by user\)/);
    expect(k.stdout).toMatch(/kill\s+\d+ ms from the decision to the server gone/);
    expect(lutflow('deploy', '--model', 'x').code).toBe(2);
    expect(lutflow('kill').code).toBe(2);
    expect(lutflow('status', 'd-00000000').stderr).toMatch(/\[NOT_FOUND\] no deployment 'd-00000000'/);
  });

  it('a server that crashes leaves nothing running unpaid: the next start stops its deployments and settles them', async () => {
    const r = lutflow('deploy', '--model', 'tiny-test', '--gpu', 'T4', '--tenant', 'acme', '--budget', '1', '--json', '--', ...modelServerCommand());
    const id = JSON.parse(r.stdout).deployment.id;
    await until(async () => (await api('GET', `/deployments/${id}`)).ticks >= 2, 'two ticks');
    const before: DeploymentView = await api('GET', `/deployments/${id}`);
    await killHard(serveProcess);
    expect(groupAlive(before.pgid!)).toBe(true);
    await new Promise((res) => setTimeout(res, 1500));
    ({ base, child: serveProcess } = await spawnServe(['--model', model, '--ledger', ledger, '--fsync', 'never'], env));
    const after: DeploymentView = await api('GET', `/deployments/${id}`);
    expect(after).toMatchObject({ state: 'failed', reason: 'orphaned' });
    expect(groupAlive(before.pgid!)).toBe(false);
    expect(after.spent_micros).toBeGreaterThan(before.spent_micros);
    expect(await api('GET', `/budgets/${encodeURIComponent(after.scope)}`)).toMatchObject({ spent_micros: after.spent_micros, reserved_micros: 0 });
  });
});
