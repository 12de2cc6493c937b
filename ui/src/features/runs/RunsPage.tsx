import { Card, Failure, Kpi, Loading } from '../../components/Card.js';
import { count } from '../../components/format.js';
import { AlertTable } from '../budgets/components/AlertTable.js';
import { useAlerts } from '../budgets/useBudgets.js';
import { DeploymentsTable } from '../spend/components/DeploymentsTable.js';
import { useSpend } from '../spend/useSpend.js';
import { DeniedTable } from './components/DeniedTable.js';
import { ManagedDeploymentsTable } from './components/ManagedDeploymentsTable.js';
import { RunsTable } from './components/RunsTable.js';
import { useDeployments, useRuns } from './useRuns.js';

export function RunsPage({ tenant }: { tenant?: string }) {
  const runs = useRuns(tenant);
  const alerts = useAlerts(tenant);
  const spend = useSpend(tenant);
  const managed = useDeployments(tenant);
  if (!runs.data) return runs.error ? <Failure error={runs.error} what="runs" /> : <Loading what="runs" />;
  const { runs: list, denied, run_table: table } = runs.data;
  const running = list.filter((r) => r.status === 'running').length;
  const kills = (alerts.data ?? []).filter((a) => a.kind === 'kill');
  return (
    <>
      {runs.error && <Failure error={runs.error} what="the latest runs" />}
      <div className="kpis">
        <Kpi name="runs-running" label="Running" value={count(running)} detail="reserved through pre-flight, not settled" />
        <Kpi name="runs-denied" label="Denied pre-flights" value={count(denied.length)} detail="since this server started" />
        <Kpi name="runs-finished" label="Finished runs" value={count(table?.finished ?? 0)} detail={table ? `in ${table.source}` : 'no run table'} />
      </div>
      <Card title="Runs" wide note="Pre-flight runs first (newest first), then the run table's most recent finished runs. Release frees a running run's reservation.">
        <RunsTable runs={list} onChanged={runs.reload} />
      </Card>
      <Card title="Denied pre-flights" wide>
        <DeniedTable denied={denied} />
      </Card>
      <Card title="Deployments" wide note="Model servers started with lutflow deploy: metered every tick and stopped at their budget; an admin may stop one now.">
        {managed.data ? <ManagedDeploymentsTable deployments={managed.data} onChanged={managed.reload} /> : managed.error ? <Failure error={managed.error} what="deployments" /> : <Loading what="deployments" />}
      </Card>
      <Card title="Deployment spend" wide note="GPU time charged since this server started: the ticks of the deployments above and the telemetry of self-hosted ones of your own, with the last hour from the 10-second cost windows.">
        {spend.data ? <DeploymentsTable tenants={spend.data.tenants} /> : spend.error ? <Failure error={spend.error} what="deployment spend" /> : <Loading what="deployment spend" />}
      </Card>
      <Card title="Killed" wide note="Deployments and runs stopped by a budget strategy, with the reason (kill alerts).">
        <AlertTable alerts={kills} caption="Kills, newest first" name="kills" empty="Nothing was killed." />
      </Card>
    </>
  );
}
