import { call, endpointOf, ENDPOINT_FLAGS, ENDPOINT_HELP, events, type Endpoint } from '../api-client.js';
import { parse, UsageError, type Command, type Io } from '../command.js';
import { age, spentOf, type DeploymentView } from '../deployments.js';
import { duration, table, usd } from '../format.js';
import type { CostWindow } from '../../stream/index.js';

const usage = `usage: lutflow watch [--tenant T] [--windows N] [--once]

A live dashboard in the terminal, from the server's event stream (GET /deployments/events): every
deployment with its state, spend against its budget as a burn-down bar and when it runs out; spend per
tenant and deployment in 10-second windows; the top spenders; each tenant's budget; the latest alerts.
It redraws as spend arrives (at most 4 times a second). Ctrl-C to leave.
  --tenant T        only this tenant (and its scopes)
  --windows N       10-second windows shown (default 6)
  --once            draw one frame from the current state and exit (for scripts and tests)
${ENDPOINT_HELP}`;

interface Alert { kind: string; tenant_id: string; subject: string; at: number; message: string }
interface Budget { tenant_id: string; spent_usd: number; limit_usd: number; remaining_usd: number }

/** What the dashboard knows: the latest of every deployment, the windows seen, budgets and alerts polled. */
class Board {
  readonly deployments = new Map<string, DeploymentView>();
  /** Keyed by scope/key/window_start; a later revision replaces an earlier one. */
  readonly windows = new Map<string, CostWindow>();
  budgets: Budget[] = [];
  alerts: Alert[] = [];
  connected = false;
  error = '';

  take(event: string, data: unknown): void {
    if (event === 'snapshot') {
      const s = data as { deployments: DeploymentView[]; windows: { window: CostWindow }[] };
      for (const d of s.deployments) this.deployments.set(d.id, d);
      for (const w of s.windows) this.window(w.window);
    } else if (event === 'state' || event === 'tick') {
      const d = (data as { deployment: DeploymentView }).deployment;
      this.deployments.set(d.id, d);
    } else if (event === 'window') this.window((data as { window: CostWindow }).window);
  }

  private window(w: CostWindow): void {
    this.windows.set(`${w.scope}|${w.key}|${w.window_start}`, w);
  }
}

const tenantOf = (scope: string) => scope.split('/deployment:')[0];

function bar(share: number, width = 12): string {
  const n = Math.max(0, Math.min(width, Math.round(share * width)));
  return `[${'#'.repeat(n)}${'.'.repeat(width - n)}]`;
}

/** One frame of the dashboard, as lines. */
export function render(b: Board, opts: { url: string; windows: number; now: number }): string[] {
  const out: string[] = [];
  const list = [...b.deployments.values()].sort((x, y) => y.created_at.localeCompare(x.created_at));
  const running = list.filter((d) => d.state === 'running' || d.state === 'starting').length;
  out.push(`lutflow watch  ${opts.url}  ${new Date(opts.now).toISOString().replace('T', ' ').slice(0, 19)} UTC  ${list.length} deployments, ${running} running${b.connected ? '' : '  (reconnecting…)'}`);
  if (b.error) out.push(`! ${b.error}`);
  out.push('', 'DEPLOYMENTS');
  out.push(list.length ? table(['ID', 'TENANT', 'MODEL', 'GPU', 'STATE', 'SPENT', 'BURN', 'RUNS OUT', 'AGE'], list.slice(0, 15).map((d) => {
    const share = d.budget_usd ? d.spent_usd / d.budget_usd : 0;
    const perS = d.prediction.usd_per_hour / 3600;
    const left = d.budget_usd !== null && perS > 0 && (d.state === 'running' || d.state === 'starting') ? duration(((d.budget_usd - d.spent_usd) / perS) * 1000) : '-';
    return [d.id, d.tenant_id, d.model.slice(0, 28), `${d.gpu_count} x ${d.gpu_type}`, d.reason ? `${d.state} (${d.reason})` : d.state, spentOf(d),
      d.budget_usd ? `${bar(share)} ${Math.round(share * 100)} %` : '-', left, age(d, opts.now)];
  })) : '  none yet');

  const tenantWindows = [...b.windows.values()].filter((w) => w.scope === 'tenant');
  const starts = [...new Set(tenantWindows.map((w) => w.window_start))].sort().slice(-opts.windows);
  out.push('', `SPEND PER 10-SECOND WINDOW (USD; newest right)`);
  if (starts.length) {
    const rows = new Map<string, Map<string, number>>();
    const add = (name: string, start: string, micros: number) => {
      if (!rows.has(name)) rows.set(name, new Map());
      const r = rows.get(name)!;
      r.set(start, (r.get(start) ?? 0) + micros);
    };
    for (const w of tenantWindows) if (starts.includes(w.window_start)) add(tenantOf(w.tenant_id), w.window_start, w.spend_usd_micros);
    for (const w of b.windows.values()) if (w.scope === 'deployment' && starts.includes(w.window_start)) add(`  ${w.key}`, w.window_start, w.spend_usd_micros);
    const names = [...rows.keys()].sort((x, y) => tenantOf(x.trim()).localeCompare(tenantOf(y.trim())) || x.localeCompare(y));
    out.push(table(['TENANT / DEPLOYMENT', ...starts.map((s) => s.slice(11, 19))], names.map((n) => [n, ...starts.map((s) => {
      const m = rows.get(n)!.get(s);
      return m === undefined ? '-' : (m / 1e6).toFixed(6);
    })]), { right: starts.map((_, i) => i + 1) }));
  } else out.push('  no spend yet');

  const top = list.filter((d) => d.spent_micros > 0).sort((x, y) => y.spent_micros - x.spent_micros).slice(0, 5);
  out.push('', 'TOP SPENDERS');
  out.push(top.length ? top.map((d, i) => `  ${i + 1}. ${d.tenant_id} ${d.id} ${usd(d.spent_usd, 6)}`).join('\n') : '  none yet');

  const budgets = b.budgets.filter((x) => !x.tenant_id.includes('/deployment:')).slice(0, 8);
  out.push('', 'BUDGETS (burn-down)');
  out.push(budgets.length ? table(['TENANT', 'SPENT', 'LIMIT', 'BURN', 'REMAINING'], budgets.map((x) => [
    x.tenant_id, usd(x.spent_usd), usd(x.limit_usd, 2), `${bar(x.limit_usd ? x.spent_usd / x.limit_usd : 0)} ${x.limit_usd ? Math.round((x.spent_usd / x.limit_usd) * 100) : 0} %`, usd(x.remaining_usd),
  ])) : '  none visible');

  out.push('', 'ALERTS (newest first)');
  out.push(b.alerts.length ? b.alerts.slice(0, 6).map((a) => `  ${new Date(a.at).toISOString().slice(11, 19)} ${a.kind.padEnd(9)} ${a.tenant_id}: ${a.message}`.slice(0, 160)).join('\n') : '  none');
  return out;
}

async function poll(ep: Endpoint, b: Board, tenant?: string): Promise<void> {
  const [budgets, alerts] = await Promise.all([
    call<{ budgets: Budget[] }>(ep, 'GET', '/budgets'),
    call<{ alerts: Alert[] }>(ep, 'GET', '/alerts'),
  ]);
  b.budgets = budgets.body.budgets.filter((x) => !tenant || x.tenant_id === tenant || x.tenant_id.startsWith(`${tenant}/`));
  b.alerts = alerts.body.alerts.filter((x) => !tenant || x.tenant_id === tenant || x.tenant_id.startsWith(`${tenant}/`));
}

const command: Command = {
  summary: 'live terminal dashboard',
  usage,
  async run(argv, io: Io) {
    const { values, positionals } = parse(argv, { ...ENDPOINT_FLAGS, tenant: { type: 'string' }, windows: { type: 'string' }, once: { type: 'boolean' } });
    if (positionals.length) throw new UsageError(`unexpected '${positionals[0]}'`);
    const windows = values.windows === undefined ? 6 : Number(values.windows);
    if (!Number.isInteger(windows) || windows < 1 || windows > 30) throw new UsageError(`--windows: expected 1-30, got '${values.windows}'`);
    const ep = endpointOf(values);
    const board = new Board();
    const q = values.tenant ? `?tenant_id=${encodeURIComponent(values.tenant)}` : '';
    const frame = () => render(board, { url: ep.url, windows, now: Date.now() });
    if (values.once) {
      await poll(ep, board, values.tenant);
      const abort = new AbortController();
      for await (const e of events(ep, `/deployments/events${q}`, abort.signal)) {
        board.take(e.event, e.data);
        if (e.event === 'snapshot') abort.abort();
      }
      board.connected = true;
      io.out(frame().join('\n'));
      return;
    }
    const tty = process.stdout.isTTY;
    let dirty = true;
    const draw = () => {
      if (!dirty) return;
      dirty = false;
      process.stdout.write(`${tty ? '\x1b[H\x1b[2J' : ''}${frame().join('\n')}\n`);
    };
    const stop = new AbortController();
    for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, () => stop.abort());
    const redraw = setInterval(() => { dirty = true; draw(); }, 1000);
    const throttle = setInterval(draw, 250);
    const polling = setInterval(() => void poll(ep, board, values.tenant).then(() => { dirty = true; }, (err: Error) => { board.error = err.message; }), 5000);
    try {
      await poll(ep, board, values.tenant).catch((err: Error) => { board.error = err.message; });
      while (!stop.signal.aborted) {
        try {
          for await (const e of events(ep, `/deployments/events${q}`, stop.signal)) {
            board.connected = true;
            board.error = '';
            board.take(e.event, e.data);
            dirty = true;
          }
        } catch (err) {
          board.error = (err as Error).message;
        }
        board.connected = false;
        dirty = true;
        if (!stop.signal.aborted) await new Promise((r) => setTimeout(r, 1000));
      }
    } finally {
      clearInterval(redraw);
      clearInterval(throttle);
      clearInterval(polling);
    }
  },
};
export default command;
