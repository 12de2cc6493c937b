import type { AlertView } from '../../../api/types.js';
import { DataTable } from '../../../components/DataTable.js';
import { usd, utc } from '../../../components/format.js';

interface Props {
  readonly alerts: readonly AlertView[];
  readonly caption?: string;
  readonly name?: string;
  readonly empty?: string;
}

export function AlertTable({ alerts, caption = 'Alerts that fired, newest first', name = 'alerts', empty = 'No alert has fired.' }: Props) {
  return (
    <DataTable caption={caption} name={name} rows={alerts} rowKey={(a) => a.id} empty={empty} columns={[
      { header: 'time', value: (a) => a.at, render: (a) => utc(a.at) },
      { header: 'tenant', value: (a) => a.tenant_id },
      { header: 'kind', value: (a) => a.kind },
      { header: 'message', value: (a) => a.message },
      { header: 'spent (USD)', value: (a) => a.spent_usd, render: (a) => usd(a.spent_usd), numeric: true },
      { header: 'delivery', value: (a) => a.delivery.state, render: (a) => `${a.delivery.state}${a.delivery.last_error ? ` (${a.delivery.last_error})` : ''}` },
    ]} />
  );
}
