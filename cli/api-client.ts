import { existsSync, readFileSync } from 'node:fs';

/** Where the operator commands find the server and how they sign in: flags, then the environment, then `lutflow start`'s defaults. */
export interface Endpoint {
  readonly url: string;
  readonly key: string;
}

export const ENDPOINT_FLAGS = { endpoint: { type: 'string' }, 'api-key': { type: 'string' } } as const;
export const ENDPOINT_HELP = `  --endpoint URL    the Lutflow server (LUTFLOW_ENDPOINT; default http://127.0.0.1:8080)
  --api-key KEY     its API key (LUTFLOW_API_KEY; default the development key of lutflow start in data/ledger/dev-api-key)`;

export function endpointOf(values: { endpoint?: string; 'api-key'?: string }, env: NodeJS.ProcessEnv = process.env): Endpoint {
  const url = (values.endpoint ?? env.LUTFLOW_ENDPOINT ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
  const devKey = 'data/ledger/dev-api-key';
  const key = values['api-key'] ?? env.LUTFLOW_API_KEY ?? (existsSync(devKey) ? readFileSync(devKey, 'utf8').trim() : undefined);
  if (!key) throw new ApiCallError('NO_API_KEY', 'no API key: pass --api-key or set LUTFLOW_API_KEY');
  return { url, key };
}

/** An error the server answered (its code and message), or a server that could not be reached. */
export class ApiCallError extends Error {
  constructor(readonly code: string, message: string, readonly status?: number, readonly body?: unknown) {
    super(message);
    this.name = 'ApiCallError';
  }
}

export async function call<T>(ep: Endpoint, method: 'GET' | 'POST', path: string, body?: unknown, opts: { accept?: number[] } = {}): Promise<{ status: number; body: T }> {
  let res: Response;
  try {
    res = await fetch(`${ep.url}${path}`, {
      method, headers: { authorization: `Bearer ${ep.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiCallError('UNREACHABLE', `cannot reach the Lutflow server at ${ep.url} (${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}): start it with lutflow start or lutflow serve, or pass --endpoint`);
  }
  const text = await res.text();
  const parsed = (text ? JSON.parse(text) : undefined) as T & { error?: { code: string; message: string } };
  if (!res.ok && !(opts.accept ?? []).includes(res.status)) {
    throw new ApiCallError(parsed?.error?.code ?? `HTTP_${res.status}`, parsed?.error?.message ?? `HTTP ${res.status}`, res.status, parsed);
  }
  return { status: res.status, body: parsed };
}

/** Server-sent events from `path`, one parsed event at a time, until the stream ends or `signal` aborts. */
export async function* events(ep: Endpoint, path: string, signal?: AbortSignal): AsyncGenerator<{ event: string; data: unknown }> {
  let res: Response;
  try {
    res = await fetch(`${ep.url}${path}`, { headers: { authorization: `Bearer ${ep.key}`, accept: 'text/event-stream' }, signal });
  } catch (err) {
    if (signal?.aborted) return;
    throw new ApiCallError('UNREACHABLE', `cannot reach the Lutflow server at ${ep.url}: ${(err as Error).message}`);
  }
  if (!res.ok || !res.body) {
    const b = await res.json().catch(() => undefined) as { error?: { code: string; message: string } } | undefined;
    throw new ApiCallError(b?.error?.code ?? `HTTP_${res.status}`, b?.error?.message ?? `HTTP ${res.status}`, res.status);
  }
  const decoder = new TextDecoder();
  let buf = '';
  try {
    for await (const chunk of res.body) {
      buf += decoder.decode(chunk as Uint8Array, { stream: true });
      for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) yield { event, data: JSON.parse(data) };
      }
    }
  } catch (err) {
    if (!signal?.aborted) throw err;
  }
}
