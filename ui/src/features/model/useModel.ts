import { usePoll } from '../../app/usePoll.js';
import { useSession } from '../../auth/session.js';

export function useModelCard() {
  const { client } = useSession();
  return usePoll(() => client.get('/models'), 'model', 30_000);
}

export function useAccuracy(tenant: string | undefined) {
  const { client } = useSession();
  return usePoll(() => client.get('/models/accuracy', { tenant_id: tenant }), `accuracy:${tenant ?? '*'}`, 30_000);
}
