import type { DeniedRun } from '../../../api/types.js';
import { DataTable } from '../../../components/DataTable.js';
import { usd, utc } from '../../../components/format.js';
import { describePlan } from '../plan.js';

const alternatives = (d: DeniedRun) => d.alternatives.map((a) => `${a.change}: P90 ${usd(a.p90_usd)}`).join('; ');

export function DeniedTable({ denied }: { denied: readonly DeniedRun[] }) {
  return (
    <DataTable caption="Denied pre-flights and the cheaper configurations offered" name="denied" rows={denied} empty="No pre-flight was denied."
      rowKey={(d, i) => `${d.at}-${i}`} columns={[
        { header: 'time', value: (d) => d.at, render: (d) => utc(d.at) },
        { header: 'tenant', value: (d) => d.tenant_id },
        { header: 'run', value: (d) => d.run_id },
        { header: 'plan', value: (d) => describePlan(d.plan) },
        { header: 'P90 (USD)', value: (d) => d.predicted_p90_usd, render: (d) => usd(d.predicted_p90_usd), numeric: true },
        { header: 'remaining (USD)', value: (d) => d.remaining_usd, render: (d) => usd(d.remaining_usd), numeric: true },
        { header: 'alternatives offered', value: alternatives, render: (d) => alternatives(d) || 'none fits' },
      ]} />
  );
}
