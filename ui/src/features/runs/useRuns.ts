import { usePoll } from '../../app/usePoll.js';
import { useSession } from '../../auth/session.js';

export function useRuns(tenant: string | undefined) {
  const { client } = useSession();
  return usePoll(() => client.get('/runs', { tenant_id: tenant, limit: 200 }), `runs:${tenant ?? '*'}`);
}

/** GET /deployments: the model servers this server started, narrowed to one tenant (and its scopes) when chosen. */
export function useDeployments(tenant: string | undefined) {
  const { client } = useSession();
  return usePoll(async () => (await client.get('/deployments', { tenant_id: tenant })).deployments, `deployments:${tenant ?? '*'}`, 5_000);
}
