import { usePoll } from '../../app/usePoll.js';
import { useSession } from '../../auth/session.js';

/** GET /budgets (every budget the key may see), narrowed to one tenant when one is chosen. */
export function useBudgets(tenant: string | undefined) {
  const { client } = useSession();
  return usePoll(async () => (await client.get('/budgets')).budgets.filter((b) => !tenant || b.tenant_id === tenant), `budgets:${tenant ?? '*'}`);
}

export function useAlerts(tenant: string | undefined) {
  const { client } = useSession();
  return usePoll(async () => (await client.get('/alerts', { tenant_id: tenant })).alerts, `alerts:${tenant ?? '*'}`);
}
