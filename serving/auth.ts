import { ApiError } from './errors.js';

export interface ApiKey {
  readonly key: string;
  /** Tenants this key may act for; `*` for all (and for admin routes such as model reload). */
  readonly tenants: readonly string[];
  readonly name?: string;
}

/**
 * `LUTFLOW_API_KEYS` as `key1=acme,globex;key2=*` (or a JSON array of `{key, tenants}`).
 * Keys shorter than 16 characters are refused: they are guessable.
 */
export function parseApiKeys(text: string): ApiKey[] {
  const trimmed = text.trim();
  const keys: ApiKey[] = trimmed.startsWith('[')
    ? (JSON.parse(trimmed) as ApiKey[])
    : trimmed.split(';').filter(Boolean).map((part) => {
        const [key, tenants = ''] = part.split('=');
        return { key: key.trim(), tenants: tenants.split(',').map((t) => t.trim()).filter(Boolean) };
      });
  keys.forEach((k, i) => {
    if (typeof k.key !== 'string' || k.key.length < 16) throw new Error(`API key ${i + 1}: keys must be at least 16 characters`);
    if (!Array.isArray(k.tenants) || k.tenants.length === 0) throw new Error(`API key ${i + 1}: no tenants; use * for all`);
  });
  return keys;
}

export class KeyRing {
  private readonly byKey = new Map<string, ApiKey>();

  constructor(keys: readonly ApiKey[]) {
    for (const k of keys) this.byKey.set(k.key, k);
  }

  /** The key presented as `Authorization: Bearer KEY` (any case of the scheme, RFC 9110) or `x-api-key: KEY`. */
  authenticate(headers: Record<string, string | string[] | undefined>): ApiKey {
    const auth = headers.authorization;
    const bearer = typeof auth === 'string' ? /^bearer\s+(\S+)\s*$/i.exec(auth)?.[1] : undefined;
    const raw = bearer ?? headers['x-api-key'];
    const presented = Array.isArray(raw) ? raw[0] : raw;
    if (!presented) throw new ApiError('UNAUTHORIZED', 'missing API key: send Authorization: Bearer <key> or x-api-key');
    const key = this.byKey.get(presented);
    if (!key) throw new ApiError('UNAUTHORIZED', 'unknown API key');
    return key;
  }

  /** A key for `acme` also acts for its scopes (`acme/search`, `acme/search/alice`), never the other way round. */
  static allows(key: ApiKey, tenant: string): boolean {
    return key.tenants.includes('*') || key.tenants.some((t) => t === tenant || tenant.startsWith(`${t}/`));
  }

  static authorize(key: ApiKey, tenant: string): void {
    if (!KeyRing.allows(key, tenant)) throw new ApiError('FORBIDDEN', `this API key is not scoped to tenant '${tenant}'`, 'tenant_id');
  }

  static isAdmin(key: ApiKey): boolean {
    return key.tenants.includes('*');
  }

  static requireAdmin(key: ApiKey): void {
    if (!KeyRing.isAdmin(key)) throw new ApiError('FORBIDDEN', 'this route needs a key scoped to all tenants (*)');
  }
}
