import { Card, Failure, Kpi, Loading } from '../../components/Card.js';
import { DataTable } from '../../components/DataTable.js';
import { count, percent, usd } from '../../components/format.js';
import { BudgetTable } from '../budgets/components/BudgetTable.js';
import { useBudgets } from '../budgets/useBudgets.js';
import { CardTable } from '../model/components/CardTable.js';
import { useModelCard } from '../model/useModel.js';
import { dailyRows, recordedUsd } from '../spend/combine.js';
import { DailySpendChart } from '../spend/components/DailySpendChart.js';
import { useSpend } from '../spend/useSpend.js';

/** The first page: each tenant's spend and budget, and how good the cost model is, at a glance. */
export function OverviewPage({ tenant }: { tenant?: string }) {
  const spend = useSpend(tenant);
  const budgets = useBudgets(tenant);
  const card = useModelCard();
  const tenants = spend.data?.tenants ?? [];
  const recorded = tenants.reduce((s, t) => s + recordedUsd(t), 0);
  const alerting = (budgets.data ?? []).filter((b) => b.alert).length;
  const targets = card.data?.model ? Object.entries(card.data.model.targets) : [];
  const coverage = targets.map(([name, t]) => `${name === 'gpu_seconds' ? 'self-hosted' : 'API'} ${percent(t.cv.metrics.p90_coverage)}`).join(', ');
  const error = targets.map(([name, t]) => `${name === 'gpu_seconds' ? 'self-hosted' : 'API'} ${percent(t.cv.metrics.median_ape)}`).join(', ');
  return (
    <>
      <div className="kpis">
        <Kpi name="overview-spend" label="Spend recorded" value={spend.data ? usd(recorded) : '…'} detail={`${count(tenants.length)} tenants`} />
        <Kpi name="overview-budgets" label="Budgets at their alert threshold" value={budgets.data ? `${alerting} of ${budgets.data.length}` : '…'} />
        <Kpi name="overview-coverage" label="Model P90 coverage" value={coverage || '…'} detail={error ? `median error ${error} (cross-validated)` : undefined} />
      </div>
      <Card title="Budgets" wide>
        {budgets.error && <Failure error={budgets.error} what="budgets" />}
        {budgets.data ? <BudgetTable budgets={budgets.data} /> : !budgets.error && <Loading what="budgets" />}
      </Card>
      <Card title="Spend per tenant" wide note="Finished runs of the run table and metered calls this server charged, by UTC day.">
        {spend.error && <Failure error={spend.error} what="spend" />}
        {spend.data && (
          <>
            <DailySpendChart rows={dailyRows(tenants)} tenants={tenants.map((t) => t.tenant_id)} />
            <DataTable caption="Spend recorded per tenant" name="spend-per-tenant" rows={tenants} rowKey={(t) => t.tenant_id} columns={[
              { header: 'tenant', value: (t) => t.tenant_id },
              { header: 'finished runs (USD)', value: (t) => t.runs?.spend_usd ?? 0, render: (t) => usd(t.runs?.spend_usd ?? 0), numeric: true },
              { header: 'metered calls (USD)', value: (t) => t.metered.spend_usd, render: (t) => usd(t.metered.spend_usd), numeric: true },
              { header: 'total (USD)', value: (t) => recordedUsd(t), render: (t) => usd(recordedUsd(t)), numeric: true },
            ]} />
          </>
        )}
      </Card>
      <Card title="Model accuracy" wide note="How close the cost model's predictions came on runs it did not learn from (cross-validation). More on the Model page.">
        {card.data?.model ? <CardTable model={card.data.model} /> : card.error ? <Failure error={card.error} what="the model" /> : <Loading what="the model" />}
      </Card>
    </>
  );
}
