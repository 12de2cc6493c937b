import type { TenantSpend } from '../../api/types.js';
import { Card, Failure, Kpi, Loading } from '../../components/Card.js';
import { DataTable } from '../../components/DataTable.js';
import { count, usd, utc } from '../../components/format.js';
import { combineShares, dailyRows, recordedUsd } from './combine.js';
import { DailySpendChart } from './components/DailySpendChart.js';
import { DeploymentsTable } from './components/DeploymentsTable.js';
import { LiveWindowsChart } from './components/LiveWindowsChart.js';
import { SharesChart } from './components/SharesChart.js';
import { SharesTable } from './components/SharesTable.js';
import { TOKEN_KINDS, TokensChart, type TokenTotals } from './components/TokensChart.js';
import { useSpend } from './useSpend.js';

function tokenTotals(tenants: readonly TenantSpend[]): TokenTotals {
  const t = Object.fromEntries(TOKEN_KINDS.map(([k]) => [k, 0])) as TokenTotals;
  for (const s of tenants) for (const tally of [s.metered, s.runs]) if (tally) for (const [k] of TOKEN_KINDS) t[k] += tally.tokens[k];
  return t;
}

export function SpendPage({ tenant }: { tenant?: string }) {
  const { data, error } = useSpend(tenant);
  if (!data) return error ? <Failure error={error} what="spend" /> : <Loading what="spend" />;
  const tenants = data.tenants;
  const names = tenants.map((t) => t.tenant_id);
  const recorded = tenants.reduce((s, t) => s + recordedUsd(t), 0);
  const metered = tenants.reduce((s, t) => s + t.metered.spend_usd, 0);
  const runs = tenants.reduce((s, t) => s + (t.runs?.spend_usd ?? 0), 0);
  const runCount = tenants.reduce((s, t) => s + (t.runs?.calls ?? 0), 0);
  const rows = dailyRows(tenants);
  const tokens = tokenTotals(tenants);
  const source = data.run_table ? <>finished runs of the run table <code>{data.run_table.source}</code> (version {data.run_table.delta_version})</> : 'no run table';
  return (
    <>
      {error && <Failure error={error} what="the latest spend" />}
      <div className="kpis">
        <Kpi name="spend-recorded" label="Spend recorded" value={usd(recorded)} detail="finished runs and metered calls" />
        <Kpi name="spend-runs" label="Finished runs" value={usd(runs)} detail={`${count(runCount)} runs in the run table`} />
        <Kpi name="spend-metered" label="Metered calls" value={usd(metered)} detail={`charged from telemetry since ${utc(data.since)}`} />
      </div>
      <Card title="Live spend" wide note={<>Telemetry this server charged, in {data.window_seconds}-second cost windows by event time (an open window can still grow).</>}>
        <LiveWindowsChart tenants={tenants} windowSeconds={data.window_seconds} now={Date.now()} />
      </Card>
      <Card title="Daily spend" wide note={<>By UTC day: {source}, and metered calls.</>}>
        <DailySpendChart rows={rows} tenants={names} />
        <DataTable caption="Daily spend per tenant and source" name="daily-spend" rows={[...rows].reverse()} columns={[
          { header: 'day (UTC)', value: (r) => r.day },
          { header: 'tenant', value: (r) => r.tenant_id },
          { header: 'source', value: (r) => (r.source === 'runs' ? 'finished runs' : 'metered calls') },
          { header: 'spend (USD)', value: (r) => r.spend_usd, render: (r) => usd(r.spend_usd), numeric: true },
          { header: 'runs or calls', value: (r) => r.calls, numeric: true },
        ]} show={20} />
      </Card>
      <Card title="By model">
        <SharesChart shares={combineShares(tenants, (t) => t.by_model)} what="model" />
        <SharesTable shares={combineShares(tenants, (t) => t.by_model)} what="model" name="spend-by-model" />
      </Card>
      <Card title="By provider" note="API providers by name; self-hosted GPUs as self_hosted.">
        <SharesChart shares={combineShares(tenants, (t) => t.by_provider)} what="provider" />
        <SharesTable shares={combineShares(tenants, (t) => t.by_provider)} what="provider" name="spend-by-provider" />
      </Card>
      <Card title="Tokens by kind" note="Run records carry input and output only; metered calls also report cached input, cache writes and reasoning.">
        <TokensChart tokens={tokens} />
        <DataTable caption="Tokens by kind" name="tokens-by-kind" rows={TOKEN_KINDS.map(([k, label]) => ({ kind: label, tokens: tokens[k] }))} columns={[
          { header: 'kind', value: (r) => r.kind },
          { header: 'tokens', value: (r) => r.tokens, render: (r) => count(r.tokens), numeric: true },
        ]} />
      </Card>
      <Card title="Deployments" note="Self-hosted deployments from their GPU-time telemetry.">
        <DeploymentsTable tenants={tenants} />
      </Card>
    </>
  );
}
