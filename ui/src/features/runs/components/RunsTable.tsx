import { useState } from 'react';
import type { RunView } from '../../../api/types.js';
import { useSession } from '../../../auth/session.js';
import { DataTable } from '../../../components/DataTable.js';
import { usd, utc } from '../../../components/format.js';
import { describePlan } from '../plan.js';

const ratio = (r: RunView) => (r.actual_usd !== null && r.predicted_p90_usd ? r.actual_usd / r.predicted_p90_usd : null);

/** Runs with what the model predicted and what they cost; an admin may release a running run's reservation. */
export function RunsTable({ runs, onChanged }: { runs: readonly RunView[]; onChanged: () => void }) {
  const { scope, client } = useSession();
  const [error, setError] = useState<string>();
  const release = async (r: RunView) => {
    try {
      await client.release(r.tenant_id, r.reservation_id!);
      setError(undefined);
      onChanged();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <>
      {error && <p className="error" role="alert">{error}</p>}
      <DataTable caption="Runs: predicted P50 and P90 against actual cost" name="runs" rows={runs} show={30}
        rowKey={(r, i) => `${r.source}-${r.reservation_id ?? r.run_id ?? i}`} columns={[
          { header: 'run', value: (r) => r.run_id ?? r.reservation_id },
          { header: 'tenant', value: (r) => r.tenant_id },
          { header: 'status', value: (r) => r.status, render: (r) => <span className={`status ${r.status}`}>{r.status}</span> },
          {
            header: 'action', value: () => null, csv: false,
            render: (r) => (scope.admin && r.status === 'running' && r.reservation_id
              ? <button type="button" className="danger" onClick={() => release(r)}>Release<span className="visually-hidden"> {r.run_id ?? r.reservation_id}</span></button>
              : null),
          },
          { header: 'plan', value: (r) => describePlan(r.plan) },
          { header: 'launched', value: (r) => r.launched_at, render: (r) => utc(r.launched_at) },
          { header: 'P50 (USD)', value: (r) => r.predicted_p50_usd, render: (r) => usd(r.predicted_p50_usd), numeric: true },
          { header: 'P90 (USD)', value: (r) => r.predicted_p90_usd, render: (r) => usd(r.predicted_p90_usd), numeric: true },
          { header: 'actual (USD)', value: (r) => r.actual_usd, render: (r) => usd(r.actual_usd), numeric: true },
          { header: 'actual / P90', value: (r) => ratio(r), render: (r) => (ratio(r) === null ? '–' : ratio(r)!.toFixed(2)), numeric: true },
          { header: 'source', value: (r) => (r.source === 'preflight' ? 'pre-flight' : r.in_sample ? 'run table (model trained on it)' : 'run table') },
        ]} />
    </>
  );
}
