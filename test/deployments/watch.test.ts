import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir, TSX } from '../helpers/index.js';
import { ADMIN, modelDir } from '../serving/fixtures.js';
import { killAll, spawnServe } from '../serving/serve-process.js';
import { modelServerCommand, until } from './helpers.js';

const session = `lutflow-watch-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', session);
let base = '';

beforeAll(async () => {
  ({ base } = await spawnServe(['--model', modelDir(), '--ledger', tempDir(), '--fsync', 'never'], { LUTFLOW_API_KEYS: `${ADMIN}=*` }));
  await fetch(`${base}/budgets`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ tenant_id: 'acme', limit_usd: 10 }) });
  const cmd = [process.execPath, '--import', TSX, join(ROOT, 'cli/main.ts'), 'watch', '--endpoint', base, '--api-key', ADMIN].map((a) => `'${a}'`).join(' ');
  tmux('new-session', '-d', '-s', session, '-x', '180', '-y', '50', cmd);
});
afterAll(() => {
  try { tmux('kill-session', '-t', session); } catch { /* already gone */ }
  killAll();
});

describe('lutflow watch in a real terminal (tmux)', () => {
  it('shows a deployment, its spend rising within one 10-second window, the windows, and its kill', async () => {
    await until(() => /lutflow watch .* 0 deployments/.test(screen()), 'the first frame', 30_000);
    const r = await fetch(`${base}/deployments`, {
      method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tenant_id: 'acme', model: 'tiny', gpu_type: 'H100', gpu_count: 8, budget_usd: 5, command: modelServerCommand() }),
    });
    const id = (await r.json()).deployment.id as string;
    const spentOnScreen = () => {
      const m = new RegExp(`${id}\\s+acme\\s+tiny\\s+8 x H100-SXM\\s+(\\w+)\\s+\\$(\\d+\\.\\d+) / \\$5\\.0000`).exec(screen());
      return m ? { state: m[1], usd: Number(m[2]) } : undefined;
    };
    await until(() => (spentOnScreen()?.usd ?? 0) > 0, 'spend on screen', 20_000);
    const first = spentOnScreen()!;
    const t0 = Date.now();
    await until(() => (spentOnScreen()?.usd ?? 0) > first.usd, 'the spend to move on screen', 10_000);
    expect(Date.now() - t0).toBeLessThan(10_000);
    const s = screen();
    expect(s).toMatch(/SPEND PER 10-SECOND WINDOW/);
    expect(s).toMatch(new RegExp(`^acme\\s+(\\d\\.\\d{6}\\s*)+$`, 'm'));
    expect(s).toMatch(new RegExp(`^\\s+${id}\\s+(\\d\\.\\d{6}\\s*)+$`, 'm'));
    expect(s).toMatch(new RegExp(`1\\. acme ${id} \\$\\d+\\.\\d{6}`));
    await fetch(`${base}/deployments/${id}/kill`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: '{"reason":"overspend"}' });
    await until(() => spentOnScreen() === undefined && new RegExp(`${id}.*killed \\(overspend\\)`).test(screen()), 'the kill on screen', 10_000);
    await until(() => /kill\s+acme: deployment .* was stopped \(overspend\)/.test(screen()), 'the kill alert', 10_000);
  });
});
