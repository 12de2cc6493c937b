import { useState } from 'react';
import type { DeploymentView } from '../../../api/types.js';
import { useSession } from '../../../auth/session.js';
import { DataTable } from '../../../components/DataTable.js';
import { usd, utc } from '../../../components/format.js';

const live = (d: DeploymentView) => d.state === 'starting' || d.state === 'running';
const ended = (d: DeploymentView) => (d.reason ? `${d.reason}${d.stopped_by ? ` (by ${d.stopped_by})` : ''}` : null);

/**
 * The model servers Lutflow started under a budget (POST /deployments / `lutflow deploy`): state, spend against
 * budget and prediction, why each ended. An admin stops a live one (two clicks: Stop, then Confirm stop); the
 * answer comes once it is gone and its spend settled.
 */
export function ManagedDeploymentsTable({ deployments, onChanged }: { deployments: readonly DeploymentView[]; onChanged: () => void }) {
  const { scope, client } = useSession();
  const [armed, setArmed] = useState<string>();
  const [stopping, setStopping] = useState<ReadonlySet<string>>(new Set());
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const stop = async (d: DeploymentView) => {
    setArmed(undefined);
    setStopping((s) => new Set(s).add(d.id));
    try {
      const v = await client.stopDeployment(d.id, 'stopped from the dashboard');
      setMessage({ ok: true, text: `Stopped ${d.id}: ${usd(v.spent_usd)} spent, settled.` });
    } catch (err) {
      setMessage({ ok: false, text: `Could not stop ${d.id}: ${(err as Error).message}` });
    } finally {
      setStopping((s) => new Set([...s].filter((id) => id !== d.id)));
      onChanged();
    }
  };
  const action = (d: DeploymentView) => {
    if (!scope.admin || !live(d)) return null;
    if (stopping.has(d.id)) return <span className="muted">stopping…</span>;
    const label = <span className="visually-hidden"> {d.id}</span>;
    return armed === d.id
      ? <>
          <button type="button" className="danger" onClick={() => stop(d)}>Confirm stop{label}</button>{' '}
          <button type="button" className="secondary" onClick={() => setArmed(undefined)}>Cancel{label}</button>
        </>
      : <button type="button" className="danger" onClick={() => setArmed(d.id)}>Stop{label}</button>;
  };
  return (
    <>
      {message && <p role={message.ok ? 'status' : 'alert'} className={message.ok ? 'ok' : 'error'}>{message.text}</p>}
      <DataTable caption="Deployments Lutflow runs under a budget, newest first" name="managed-deployments" rows={deployments}
        empty="No deployment was started through this server (lutflow deploy)." rowKey={(d) => d.id} columns={[
          { header: 'deployment', value: (d) => d.id },
          { header: 'tenant', value: (d) => d.tenant_id },
          { header: 'state', value: (d) => d.state, render: (d) => <span className={`status ${d.state}`}>{d.state}</span> },
          { header: 'action', value: () => null, csv: false, render: action },
          { header: 'model', value: (d) => d.model },
          { header: 'GPUs', value: (d) => `${d.gpu_count} x ${d.gpu_type}` },
          { header: 'spent (USD)', value: (d) => d.spent_usd, render: (d) => usd(d.spent_usd), numeric: true },
          { header: 'budget (USD)', value: (d) => d.budget_usd, render: (d) => usd(d.budget_usd), numeric: true },
          { header: 'predicted P90 (USD)', value: (d) => d.prediction.p90_usd ?? null, render: (d) => usd(d.prediction.p90_usd), numeric: true },
          { header: 'strategy', value: (d) => d.strategy },
          { header: 'started', value: (d) => d.started_at, render: (d) => utc(d.started_at) },
          { header: 'ended', value: (d) => d.ended_at, render: (d) => utc(d.ended_at) },
          { header: 'why it ended', value: ended },
        ]} />
    </>
  );
}
