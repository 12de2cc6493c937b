import type { TenantSpend } from '../../../api/types.js';
import { DataTable } from '../../../components/DataTable.js';
import { number, usd, utc } from '../../../components/format.js';

/** Each deployment's spend since this server started, and its last hour from the 10-second windows. */
function deployments(tenants: readonly TenantSpend[]) {
  return tenants.flatMap((t) => t.metered.by_deployment.map((d) => {
    const windows = t.windows.filter((w) => w.scope === 'deployment' && w.key === d.name);
    return {
      deployment: d.name, tenant_id: t.tenant_id, spend_usd: d.spend_usd, calls: d.calls,
      hour_usd: windows.reduce((s, w) => s + w.spend_usd, 0), gpu_seconds: windows.reduce((s, w) => s + w.gpu_seconds, 0),
      last: windows.at(-1)?.window_end ?? null,
    };
  })).sort((a, b) => b.spend_usd - a.spend_usd);
}

export function DeploymentsTable({ tenants }: { tenants: readonly TenantSpend[] }) {
  return (
    <DataTable caption="Spend per deployment" name="deployments" rows={deployments(tenants)} empty="No deployment has reported GPU time to this server." columns={[
      { header: 'deployment', value: (d) => d.deployment },
      { header: 'tenant', value: (d) => d.tenant_id },
      { header: 'spend (USD)', value: (d) => d.spend_usd, render: (d) => usd(d.spend_usd), numeric: true },
      { header: 'last hour (USD)', value: (d) => d.hour_usd, render: (d) => usd(d.hour_usd), numeric: true },
      { header: 'GPU-seconds, last hour', value: (d) => d.gpu_seconds, render: (d) => number(d.gpu_seconds), numeric: true },
      { header: 'last window end', value: (d) => d.last, render: (d) => utc(d.last) },
    ]} />
  );
}
