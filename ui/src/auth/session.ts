import { createContext, useContext } from 'react';
import { createClient, type Client } from '../api/client.js';
import type { KeyScope } from '../api/types.js';

/** The key lives in this tab's session storage only: closing the tab signs out. */
const STORAGE = 'lutflow.api-key';

export interface Session {
  readonly scope: KeyScope;
  readonly client: Client;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in page');
  return s;
}

/** Checks the key against the server (GET /auth/scope) and keeps it for this tab. */
export async function signIn(key: string): Promise<Session> {
  const client = createClient(key);
  const scope = await client.get('/auth/scope');
  sessionStorage.setItem(STORAGE, key);
  return { scope, client };
}

export const storedKey = () => sessionStorage.getItem(STORAGE);
export const forgetKey = () => sessionStorage.removeItem(STORAGE);
