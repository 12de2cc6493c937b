import { usePoll } from '../../app/usePoll.js';
import { useSession } from '../../auth/session.js';

/** GET /spend for one tenant or all the key may see, every 5 s (the cost windows are 10 s). */
export function useSpend(tenant: string | undefined) {
  const { client } = useSession();
  return usePoll(() => client.get('/spend', { tenant_id: tenant }), `spend:${tenant ?? '*'}`, 5_000);
}
