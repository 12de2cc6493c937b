import { call, endpointOf, ENDPOINT_FLAGS, ENDPOINT_HELP } from '../api-client.js';
import { parse, UsageError, type Command } from '../command.js';
import { duration, table, usd } from '../format.js';
import type { reportOf } from '../../serving/deployments/view.js';

const command: Command = {
  summary: 'a deployment\'s predicted against actual cost',
  usage: `usage: lutflow report ID [--json]

What the pre-flight predicted (rate, what it held, how long that lasts, a workload's P50/P90) next to
what the deployment spent (metered GPU time, settled amount), why it ended and how long the kill took.
${ENDPOINT_HELP}`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { ...ENDPOINT_FLAGS, json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError('expected one deployment id');
    const r = (await call<ReturnType<typeof reportOf>>(endpointOf(values), 'GET', `/deployments/${encodeURIComponent(positionals[0])}/report`)).body;
    if (values.json) { io.out(JSON.stringify(r, null, 2)); return; }
    const p = r.predicted;
    io.out(`${r.id}: ${r.model} on ${r.gpu}, tenant ${r.tenant_id}, ${r.state}${r.reason ? ` (${r.reason})` : ''}`);
    io.out(table(['', 'PREDICTED', 'ACTUAL'], [
      ['cost', `${usd(p.hold_usd, 6)} held (${p.basis})${p.p90_usd !== undefined ? `, P50 ${usd(p.p50_usd, 6)} P90 ${usd(p.p90_usd, 6)}` : ''}`, `${usd(r.actual.spent_usd, 6)} metered, ${r.actual.settled_usd === null ? 'not settled' : `${usd(r.actual.settled_usd, 6)} settled`}`],
      ['time', duration(p.lasts_s * 1000), `${duration(r.actual.run_s * 1000)} (${r.actual.gpu_seconds.toFixed(1)} GPU-seconds, ${r.actual.ticks} ticks)`],
      ['rate', `${usd(p.usd_per_hour)}/hour (${p.price_source}${p.price_as_of ? `, ${p.price_as_of}` : ''})`, ''],
      ['budget', r.budget_usd === null ? '-' : usd(r.budget_usd, 6), r.actual_over_hold === null ? '' : `${(r.actual_over_hold * 100).toFixed(1)} % of the hold`],
    ]));
    if (r.kill?.latency_ms !== undefined) io.out(`kill: ${r.kill.latency_ms} ms from the decision to the server gone${r.kill.forced ? ' (SIGKILL after the grace period)' : ''}`);
  },
};
export default command;
