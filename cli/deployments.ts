import type { DeploymentView } from '../serving/deployments/view.js';
import { duration, table, usd } from './format.js';

/** Shared by deploy, status, kill, report and watch: how a deployment reads in a terminal. */
export type { DeploymentView };

/** `90`, `90s`, `15m`, `2h`, `1d` → milliseconds. */
export function parseDuration(v: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d)?$/.exec(v.trim());
  if (!m) throw new Error(`--${flag}: expected a duration like 90s, 15m, 2h or 1d, got '${v}'`);
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 's') as 's']! ;
}

export function spentOf(d: DeploymentView): string {
  return d.budget_usd === null ? usd(d.spent_usd) : `${usd(d.spent_usd)} / ${usd(d.budget_usd)}`;
}

export function age(d: DeploymentView, now: number): string {
  return duration((d.ended_at ? Date.parse(d.ended_at) : now) - Date.parse(d.started_at ?? d.created_at));
}

export function deploymentTable(list: readonly DeploymentView[], now = Date.now()): string {
  return table(
    ['ID', 'TENANT', 'MODEL', 'GPU', 'RUNTIME', 'STATE', 'REASON', 'SPENT', 'RATE', 'AGE'],
    list.map((d) => [
      d.id, d.tenant_id, d.model, `${d.gpu_count} x ${d.gpu_type}`, d.runtime, d.state, d.reason ?? '-', spentOf(d),
      `${usd(d.prediction.usd_per_hour)}/h`, age(d, now),
    ]),
  );
}

/** One deployment, a field a line, as `kubectl describe` prints. */
export function describeDeployment(d: DeploymentView, now = Date.now()): string {
  const p = d.prediction;
  const lines: [string, string][] = [
    ['id', d.id], ['tenant', `${d.tenant_id} (budget scope ${d.scope})`], ['model', d.model], ['gpu', `${d.gpu_count} x ${d.gpu_type}`],
    ['runtime', `${d.runtime}${d.endpoint ? ` at ${d.endpoint}` : ''}`], ['strategy', d.strategy],
    ['state', `${d.state}${d.reason ? ` (${d.reason}${d.stopped_by ? `, by ${d.stopped_by}` : ''})` : ''}`],
    ['spent', `${usd(d.spent_usd, 6)} (${d.spent_micros} µ$) over ${d.gpu_seconds.toFixed(1)} GPU-seconds, ${d.ticks} ticks`],
    ['budget', d.budget_usd === null ? '-' : usd(d.budget_usd, 6)], ['max duration', d.max_duration_s === null ? '-' : duration(d.max_duration_s * 1000)],
    ['price', `${usd(p.gpu_usd_per_hour)}/GPU-hour (${p.prices.source}${p.prices.as_of ? `, as of ${p.prices.as_of}` : ''})`],
    ['predicted', `${p.basis}: holds ${usd(p.hold_usd, 6)}, lasting ${duration(p.lasts_s * 1000)}${p.p90_usd !== undefined ? `; workload P50 ${usd(p.p50_usd)} P90 ${usd(p.p90_usd)}` : ''}`],
    ['age', age(d, now)],
  ];
  if (d.stop?.latency_ms !== undefined) lines.push(['kill', `${d.stop.latency_ms} ms from the decision to the server gone${d.stop.forced ? ' (SIGKILL after the grace period)' : ''}`]);
  if (d.settled) lines.push(['settled', `${usd(d.settled.usd, 6)} at ${d.settled.at}`]);
  if (d.message) lines.push(['message', d.message]);
  const w = Math.max(...lines.map(([k]) => k.length));
  return lines.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}
