import { usePoll } from './usePoll.js';
import { useSession } from '../auth/session.js';

/** A deployment's own budget scope (`acme/deployment:ID`): shown with its deployment on the runs page, not picked. */
const isDeploymentScope = (t: string) => t.includes('/deployment:');

/** All tenants the key may see, or one of them. */
export function TenantPicker({ value, onChange }: { value?: string; onChange: (tenant: string | undefined) => void }) {
  const { client, scope } = useSession();
  const { data } = usePoll(async () => {
    const [budgets, spend] = await Promise.all([client.get('/budgets'), client.get('/spend')]);
    return [...new Set([...budgets.budgets.map((b) => b.tenant_id), ...spend.tenants.map((t) => t.tenant_id)])].filter((t) => !isDeploymentScope(t)).sort();
  }, 'tenants', 30_000);
  const tenants = data ?? (scope.admin ? [] : scope.tenants);
  return (
    <div className="picker">
      <label htmlFor="tenant">Tenant</label>
      <select id="tenant" value={value ?? ''} onChange={(e) => onChange(e.target.value || undefined)}>
        <option value="">{scope.admin ? 'All tenants' : 'All my tenants'}</option>
        {tenants.map((t) => <option key={t} value={t}>{t}</option>)}
      </select>
    </div>
  );
}
