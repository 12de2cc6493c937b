import { DataTable } from '../../../components/DataTable.js';
import { count, usd } from '../../../components/format.js';
import type { NamedSpend } from '../combine.js';

export function SharesTable({ shares, what, name }: { shares: readonly NamedSpend[]; what: string; name: string }) {
  return (
    <DataTable caption={`Spend by ${what}`} name={name} rows={shares} rowKey={(s) => s.name} columns={[
      { header: what, value: (s) => s.name },
      { header: 'finished runs (USD)', value: (s) => s.runs_usd, render: (s) => usd(s.runs_usd), numeric: true },
      { header: 'metered calls (USD)', value: (s) => s.metered_usd, render: (s) => usd(s.metered_usd), numeric: true },
      { header: 'total (USD)', value: (s) => s.total_usd, render: (s) => usd(s.total_usd), numeric: true },
      { header: 'runs and calls', value: (s) => s.calls, render: (s) => count(s.calls), numeric: true },
    ]} />
  );
}
