import type { BudgetView } from '../../../api/types.js';
import { DataTable } from '../../../components/DataTable.js';
import { share, usd, utc } from '../../../components/format.js';

export const used = (b: BudgetView) => (b.limit_micros > 0 ? (b.spent_micros + b.reserved_micros) / b.limit_micros : 1);

function runsOut(b: BudgetView): string {
  const f = b.forecast;
  if (!f.runs_out_at) return 'not at the current rate';
  return f.resets_first ? `resets first (${utc(b.window_end)})` : utc(f.runs_out_at);
}

/** Every budget with spent, reserved and remaining in its current window. */
export function BudgetTable({ budgets }: { budgets: readonly BudgetView[] }) {
  return (
    <DataTable caption="Budgets in their current window" name="budgets" rows={budgets} rowKey={(b) => b.tenant_id} columns={[
      { header: 'tenant', value: (b) => b.tenant_id },
      { header: 'window', value: (b) => b.window },
      { header: 'limit (USD)', value: (b) => b.limit_usd, render: (b) => usd(b.limit_usd), numeric: true },
      { header: 'spent (USD)', value: (b) => b.spent_usd, render: (b) => usd(b.spent_usd), numeric: true },
      { header: 'reserved (USD)', value: (b) => b.reserved_usd, render: (b) => usd(b.reserved_usd), numeric: true },
      { header: 'remaining (USD)', value: (b) => b.remaining_usd, render: (b) => usd(b.remaining_usd), numeric: true },
      {
        header: 'used', value: (b) => used(b), numeric: true,
        render: (b) => <span className={b.alert ? 'used alert' : 'used'}><meter min={0} max={1} value={Math.min(1, used(b))} aria-label={`${b.tenant_id} used`} /> {share(used(b))}</span>,
      },
      { header: 'runs out', value: (b) => b.forecast.runs_out_at, render: runsOut },
    ]} />
  );
}
