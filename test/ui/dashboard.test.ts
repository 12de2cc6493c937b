import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { count, percent, usd } from '../../ui/src/components/format.js';
import { modelServerCommand, until } from '../deployments/helpers.js';
import { ROOT, TSX, tempDir } from '../helpers/index.js';
import { buildUi, expectAccessible, launch, screenshot, watchErrors } from './browser.js';
import { ACME, ADMIN, GLOBEX, event, sampleModel, type SampleModel } from './fixtures.js';

let sample: SampleModel;
let server: ChildProcess;
let base: string;
let browser: Browser;
let page: Page;
let errors: string[];
let tenants: string[];
/** A deployment of acme's left running for the tenant key's view (the server stops it when it is stopped). */
let liveDeployment: string;

const KEYS = `${ADMIN}=*;${ACME}=acme;${GLOBEX}=globex`;

async function api<T = any>(method: string, path: string, body?: unknown, key = ADMIN): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method, headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json as T;
}

/** `lutflow serve`, as a user runs it; resolves with the dashboard address it prints. */
async function serve(modelDir: string, uiDir: string): Promise<string> {
  server = spawn(process.execPath, ['--import', TSX, join(ROOT, 'cli/main.ts'), 'serve', '--model', modelDir, '--port', '0', '--ledger', tempDir('lutflow-ui-ledger-')], {
    env: { ...process.env, LUTFLOW_API_KEYS: KEYS, LUTFLOW_UI_DIR: uiDir, LUTFLOW_LOG_LEVEL: 'warn',
      LUTFLOW_DEPLOY_COMMAND: JSON.stringify(modelServerCommand()), LUTFLOW_DEPLOY_TICK_MS: '200', LUTFLOW_DEPLOY_GRACE_MS: '2000',
    }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  server.stderr!.on('data', (d) => { err += d; });
  for (let i = 0; i < 600 && server.exitCode === null; i++) {
    const m = /dashboard: (http:\/\/\S+\/ui)/.exec(err);
    if (m) return m[1];
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`lutflow serve did not print its dashboard address:\n${err}`);
}

async function signIn(key: string): Promise<void> {
  await page.goto(`${base}/ui/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Pages' }).waitFor();
}

async function open(id: string, title: string): Promise<void> {
  await page.getByRole('link', { name: title, exact: true }).click();
  await expect.poll(() => page.url()).toMatch(new RegExp(`#/${id}$`));
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
}

const kpi = (name: string) => page.locator(`[data-kpi="${name}"] .kpi-value`);
/** The cells of a table's row whose first cell is `first`. */
const row = (table: string, first: string) => page.locator(`[data-table="${table}"] tbody tr`).filter({ has: page.locator('td:first-child', { hasText: new RegExp(`^${first}$`) }) });

beforeAll(async () => {
  const uiDir = tempDir('lutflow-ui-build-');
  [sample] = await Promise.all([sampleModel(), buildUi(uiDir)]);
  const dashboard = await serve(sample.modelDir, uiDir);
  base = dashboard.replace(/\/ui$/, '');
  tenants = [...new Set(sample.trained.map((r) => r.tenant_id))].sort();
  for (const tenant_id of tenants) await api('POST', '/budgets', { tenant_id, limit_usd: tenant_id === 'acme' ? 20 : 100, window: 'monthly' });
  const now = Date.now();
  await api('POST', '/telemetry', {
    events: [
      event(now - 40_000, { tokens: { input: 12_000, cached_input: 4_000, output: 900, reasoning: 300 }, cost_usd_micros: 3_250_000 }),
      event(now - 20_000, { tenant_id: 'globex', provider: 'self_hosted', model: 'llama-3-8b', deployment_id: 'globex-llama', gpu: { type: 'H100', count: 2, seconds: 10 }, cost_usd_micros: 1_400_000 }),
    ],
  });
  browser = await launch();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
});

afterEach(async () => {
  expect(errors, 'console errors').toEqual([]);
  await page?.close();
});

async function newPage(): Promise<void> {
  page = await browser.newPage({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  errors = watchErrors(page);
}

describe('the dashboard in a real browser', () => {
  it('signs in with an API key; a wrong key is refused', async () => {
    await newPage();
    await page.goto(`${base}/ui`);
    await expectAccessible(page, 'the sign-in page');
    await screenshot(page, '0-sign-in');
    await page.getByLabel('API key').fill('not-a-key-but-long-enough');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/unknown API key/);
    errors.length = 0; // the browser logs the 401 it was answered; that is the point of this step
    await page.getByLabel('API key').fill(ADMIN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await expect.poll(() => page.locator('.who').textContent()).toBe('admin key (all tenants)');
  });

  it('overview: every sample tenant\'s spend and budget and the model\'s accuracy, the figures the API gives', async () => {
    await newPage();
    await signIn(ADMIN);
    const spend = await api('GET', '/spend');
    const recorded = spend.tenants.reduce((s: number, t: any) => s + t.metered.spend_micros + (t.runs?.spend_micros ?? 0), 0) / 1e6;
    await expect.poll(() => kpi('overview-spend').textContent()).toBe(usd(recorded));
    for (const b of (await api('GET', '/budgets')).budgets) {
      const cells = row('budgets', b.tenant_id).locator('td');
      await expect.poll(() => cells.allTextContents()).toEqual(expect.arrayContaining([usd(b.limit_usd), usd(b.spent_usd), usd(b.remaining_usd)]));
    }
    for (const t of spend.tenants) {
      const total = (t.metered.spend_micros + (t.runs?.spend_micros ?? 0)) / 1e6;
      expect(await row('spend-per-tenant', t.tenant_id).locator('td').last().textContent()).toBe(usd(total));
    }
    expect(spend.tenants.map((t: any) => t.tenant_id)).toEqual(tenants);
    const card = (await api('GET', '/models')).model;
    const selfHosted = card.targets.gpu_seconds.cv.metrics;
    const cardRow = page.locator('[data-table="model-card"] tbody tr').first().locator('td');
    expect(await cardRow.allTextContents()).toEqual(expect.arrayContaining([percent(selfHosted.median_ape), percent(selfHosted.p90_coverage)]));
    expect(await page.locator('figure.chart svg.recharts-surface').count()).toBeGreaterThan(0);
    await expectAccessible(page, 'the overview');
    await screenshot(page, '1-overview-admin');
  });

  it('spend: a tenant\'s spend moves on screen when telemetry arrives; windows, models, providers and tokens', async () => {
    await newPage();
    await signIn(ADMIN);
    await open('spend', 'Spend');
    const before = (await api('GET', '/spend')).tenants.reduce((s: number, t: any) => s + t.metered.spend_micros, 0) / 1e6;
    await expect.poll(() => kpi('spend-metered').textContent()).toBe(usd(before));
    await api('POST', '/telemetry', { events: [event(Date.now() - 2_000, { cost_usd_micros: 2_500_000, model: 'gpt-4o-mini' })] }, ACME);
    await expect.poll(() => kpi('spend-metered').textContent(), { timeout: 15_000 }).toBe(usd(before + 2.5));
    const acme = (await api('GET', '/spend?tenant_id=acme')).tenants[0];
    expect(await row('spend-by-model', 'gpt-4o-mini').locator('td').nth(2).textContent()).toBe(usd(2.5));
    const tokens = page.locator('[data-table="tokens-by-kind"] tbody tr');
    const all = (await api('GET', '/spend')).tenants.reduce((s: number, t: any) => s + t.metered.tokens.cached_input + (t.runs?.tokens.cached_input ?? 0), 0);
    expect(await tokens.nth(1).locator('td').allTextContents()).toEqual(['cached input', count(all)]);
    expect(acme.metered.tokens.cached_input).toBe(4_000);
    expect(await row('deployments', 'globex-llama').locator('td').nth(2).textContent()).toBe(usd(1.4));
    expect(await page.locator('figure.chart').count()).toBeGreaterThanOrEqual(5);
    await expectAccessible(page, 'the spend page');
    await screenshot(page, '2-spend-admin');
  });

  it('budgets: burn-down with its forecast, alerts, and an admin edits a limit; CSV of the table', async () => {
    await newPage();
    await signIn(ADMIN);
    await open('budgets', 'Budgets');
    await page.getByLabel('Limit for acme (USD)').fill('250');
    await page.getByRole('button', { name: 'Save limit' }).first().click();
    await expect.poll(async () => (await api('GET', '/budgets/acme')).limit_usd).toBe(250);
    await expect.poll(() => row('budgets', 'acme').locator('td').nth(2).textContent()).toBe(usd(250));
    expect(await page.getByRole('img', { name: /^acme: .* of \$250\.00 remains/ }).count()).toBe(1);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Download CSV of Budgets/ }).click()]);
    const csv = readFileSync((await download.path())!, 'utf8').trim().split('\r\n');
    const budgets = (await api('GET', '/budgets')).budgets;
    expect(csv[0]).toBe('tenant,window,limit (USD),spent (USD),reserved (USD),remaining (USD),used,runs out');
    expect(csv.slice(1).map((l) => l.split(',').slice(0, 6).join(','))).toEqual(
      budgets.map((b: any) => [b.tenant_id, b.window, b.limit_usd, b.spent_usd, b.reserved_usd, b.remaining_usd].join(',')));
    await expectAccessible(page, 'the budgets page');
    await screenshot(page, '3-budgets-admin');
  });

  it('runs: a running pre-flight run is released by the admin; a denied one shows its alternatives', async () => {
    const plan = { kind: 'self_hosted', model: 'llama-3-8b', gpu_type: 'H100', gpu_count: 1, framework: 'vllm', batch_size: 16, requests: 64, prompt_tokens: 512, max_output_tokens: 256 };
    const allowed = await api('POST', '/preflight', { tenant_id: 'globex', run_id: 'nightly-eval', plan }, GLOBEX);
    const settled = await api('POST', '/preflight', { tenant_id: 'globex', run_id: 'batch-7', plan }, GLOBEX);
    await api('POST', `/budgets/globex/reservations/${settled.reservation.id}/settle`, { cost_usd: 0.42 }, GLOBEX);
    // A run predicted at about 1.6 times what globex has left: denied, with cheaper configurations that fit.
    const big = { ...plan, model: 'llama-3-70b', gpu_type: 'H200', gpu_count: 2, requests: 6400 };
    const probe = await api('POST', '/predict', { tenant_id: 'globex', plan: big }, GLOBEX);
    const remaining = (await api('GET', '/budgets/globex')).remaining_usd;
    const requests = Math.round((6400 * 1.6 * remaining) / probe.p90_usd);
    const denied = await api('POST', '/preflight', { tenant_id: 'globex', run_id: 'huge-sweep', plan: { ...big, requests } }, GLOBEX);
    expect(denied.decision).toBe('deny');
    expect(denied.alternatives.length).toBeGreaterThan(0);
    await newPage();
    await signIn(ADMIN);
    await open('runs', 'Runs and deployments');
    const running = row('runs', 'nightly-eval');
    await expect.poll(() => running.locator('td').allTextContents()).toEqual(expect.arrayContaining(['running', usd(allowed.predicted_p90_usd)]));
    expect(await row('runs', 'batch-7').locator('td').allTextContents()).toEqual(expect.arrayContaining(['settled', usd(0.42)]));
    await expect.poll(() => row('deployments', 'globex-llama').locator('td').nth(2).textContent()).toBe(usd(1.4));
    const offered = await page.locator('[data-table="denied"] tbody tr').first().locator('td').last().textContent();
    for (const a of denied.alternatives) expect(offered).toContain(a.change);
    await expectAccessible(page, 'the runs page');
    await screenshot(page, '4-runs-admin');
    const reservedBefore = (await api('GET', '/budgets/globex')).reserved_micros;
    await running.getByRole('button', { name: /Release/ }).click();
    await expect.poll(() => running.locator('td').nth(2).textContent()).toBe('released');
    expect((await api('GET', '/budgets/globex')).reserved_micros).toBe(reservedBefore - allowed.reservation.amount_micros);
  });

  it('deployments: an admin stops a running one from the page (Stop, Confirm stop); its spend is settled to the budget', async () => {
    const deploy = async () => (await api('POST', '/deployments', { tenant_id: 'acme', model: 'TinyLlama/TinyLlama-1.1B-Chat-v1.0', gpu_type: 'L4', gpu_count: 1, budget_usd: 0.5 })).deployment;
    const [target, other] = [await deploy(), await deploy()];
    liveDeployment = other.id;
    const state = async (id: string) => (await api('GET', `/deployments/${id}`)).state;
    await until(async () => (await state(target.id)) === 'running' && (await state(other.id)) === 'running', 'both deployments running');
    await newPage();
    await signIn(ADMIN);
    await open('runs', 'Runs and deployments');
    const r = row('managed-deployments', target.id);
    await expect.poll(() => r.locator('td').nth(2).textContent()).toBe('running');
    await r.getByRole('button', { name: `Stop ${target.id}` }).click();
    expect(await state(target.id)).toBe('running'); // the first click only arms the button
    await screenshot(page, '4b-deployment-stop');
    await r.getByRole('button', { name: `Confirm stop ${target.id}` }).click();
    await expect.poll(() => r.locator('td').nth(2).textContent(), { timeout: 20_000 }).toBe('killed');
    const end = await api('GET', `/deployments/${target.id}`);
    expect(end).toMatchObject({ state: 'killed', stopped_by: 'user', reason: 'stopped from the dashboard' });
    expect(end.settled.micros).toBe(end.spent_micros);
    expect(end.spent_micros).toBeGreaterThan(0);
    expect(await page.getByRole('status').filter({ hasText: `Stopped ${target.id}` }).textContent()).toContain(usd(end.spent_usd));
    expect(await r.locator('td').allTextContents()).toEqual(expect.arrayContaining([usd(end.spent_usd), 'stopped from the dashboard (by user)']));
    expect(await r.getByRole('button').count()).toBe(0);
    expect(await state(other.id)).toBe('running');
    // Its ticks are on the spend tables too, to the micro-dollar the ledger settled.
    await expect.poll(() => row('deployments', target.id).locator('td').nth(2).textContent(), { timeout: 15_000 }).toBe(usd(end.spent_usd));
    expect((await api('GET', '/spend?tenant_id=acme')).tenants[0].metered.by_deployment.find((d: any) => d.name === target.id).spend_micros).toBe(end.spent_micros);
    await expectAccessible(page, 'the runs page with deployments');
  });

  it('model: the card, predicted against actual, P90 coverage by day and accuracy by hardware x engine', async () => {
    await newPage();
    await signIn(ADMIN);
    await open('model', 'Model');
    const acc = await api('GET', '/models/accuracy');
    expect(acc.basis).toBe('out_of_sample');
    await expect.poll(() => kpi('accuracy-out-of-sample').textContent()).toBe(percent(acc.out_of_sample.p90_coverage));
    const worst = acc.by_group[0];
    expect(await row('accuracy-by-group', worst.group.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).locator('td').allTextContents())
      .toEqual([worst.group, String(worst.runs), percent(worst.median_ape), percent(worst.p90_coverage)]);
    expect(await page.locator('.recharts-scatter-symbol').count()).toBe(acc.points.filter((p: any) => p.actual_usd > 0 && p.predicted_p50_usd > 0).length);
    await expectAccessible(page, 'the model page');
    await screenshot(page, '5-model-admin');
  });

  it('a tenant key sees its own tenant only, and cannot change a limit', async () => {
    await newPage();
    await signIn(ACME);
    expect(await page.locator('.who').textContent()).toBe('key for acme');
    expect(await page.getByLabel('Tenant').locator('option').allTextContents()).toEqual(['All my tenants', 'acme']);
    for (const [id, title] of [['overview', 'Overview'], ['spend', 'Spend'], ['budgets', 'Budgets'], ['runs', 'Runs and deployments'], ['model', 'Model']]) {
      await open(id, title);
      await page.waitForSelector('main table tbody tr');
      await page.waitForTimeout(300);
      const text = await page.locator('main').innerText();
      for (const other of tenants.filter((t) => t !== 'acme')) expect(text, `${title} shows ${other}`).not.toContain(other);
      if (id === 'overview' || id === 'model') await screenshot(page, `6-${id}-tenant-acme`);
    }
    expect(await page.getByRole('button', { name: 'Save limit' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Release/ }).count()).toBe(0);
    // Its own live deployment is listed, without a stop button (admin keys only).
    await open('runs', 'Runs and deployments');
    await expect.poll(() => row('managed-deployments', liveDeployment).locator('td').nth(2).textContent()).toBe('running');
    expect(await page.getByRole('button', { name: /Stop/ }).count()).toBe(0);
  });
});
