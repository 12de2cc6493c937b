import { usePoll } from '../../app/usePoll.js';
import { useSession } from '../../auth/session.js';

export function useRuns(tenant: string | undefined) {
  const { client } = useSession();
  return usePoll(() => client.get('/runs', { tenant_id: tenant, limit: 200 }), `runs:${tenant ?? '*'}`);
}
