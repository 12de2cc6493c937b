import { useSession } from '../../auth/session.js';
import { Card, Failure, Loading } from '../../components/Card.js';
import { usd } from '../../components/format.js';
import { AlertTable } from './components/AlertTable.js';
import { BudgetTable } from './components/BudgetTable.js';
import { BurnDownChart } from './components/BurnDownChart.js';
import { EditLimit } from './components/EditLimit.js';
import { useSpend } from '../spend/useSpend.js';
import { useAlerts, useBudgets } from './useBudgets.js';

export function BudgetsPage({ tenant }: { tenant?: string }) {
  const { scope } = useSession();
  const budgets = useBudgets(tenant);
  const alerts = useAlerts(tenant);
  const spend = useSpend(tenant);
  const daily = (t: string) => spend.data?.tenants.find((s) => s.tenant_id === t)?.metered.daily ?? [];
  return (
    <>
      <Card title="Budgets" wide note="Spent and reserved in each budget's current window; the forecast extrapolates the last 24 hours.">
        {budgets.error && <Failure error={budgets.error} what="budgets" />}
        {budgets.data ? <BudgetTable budgets={budgets.data} /> : !budgets.error && <Loading what="budgets" />}
      </Card>
      <p className="note">Each burn-down follows the metered spend this server charged day by day; what else was spent (settled runs, spend before a restart) and what is reserved count at <em>now</em>.</p>
      <div className="grid">
        {budgets.data?.map((b) => (
          <Card key={b.tenant_id} title={`Burn-down: ${b.tenant_id}`} note={`${usd(b.spent_usd)} spent and ${usd(b.reserved_usd)} reserved of ${usd(b.limit_usd)} (${b.window})`}>
            <BurnDownChart budget={b} daily={daily(b.tenant_id)} now={Date.now()} />
            {scope.admin && <EditLimit budget={b} onSaved={budgets.reload} />}
          </Card>
        ))}
      </div>
      <Card title="Alerts" wide note="Thresholds crossed, denied runs and kills, with their webhook delivery.">
        {alerts.error && <Failure error={alerts.error} what="alerts" />}
        {alerts.data ? <AlertTable alerts={alerts.data} /> : !alerts.error && <Loading what="alerts" />}
      </Card>
    </>
  );
}
