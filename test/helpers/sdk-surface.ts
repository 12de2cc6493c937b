/**
 * Walks a provider SDK client's resource tree (Stainless resources, Google Gen AI modules) and calls every
 * public method once with permissive arguments, recording the HTTP requests it makes. New methods in a
 * new SDK release are found the same way, so a test over this walk notices new endpoints.
 */
export interface SurfaceCall {
  readonly method: string;
  readonly requests: { method: string; path: string }[];
  readonly threw?: string;
}

const SKIP = new Set(['_client', 'apiClient', 'auth', 'httpOptions', 'clientOptions', 'parentClient', 'webSocketFactory']);

function methodsOf(obj: Record<string, unknown>): string[] {
  const out = new Set<string>();
  for (let p = Object.getPrototypeOf(obj); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const k of Object.getOwnPropertyNames(p)) {
      if (k !== 'constructor' && !k.startsWith('_') && typeof Object.getOwnPropertyDescriptor(p, k)?.value === 'function') out.add(k);
    }
  }
  for (const k of Object.keys(obj)) if (!k.startsWith('_') && typeof obj[k] === 'function') out.add(k);
  return [...out];
}

/** Resources below `obj`: own object-valued properties, and `getters` read from the root (lazy modules). */
export function resources(root: object, name: string, getters: readonly string[] = []): [string, Record<string, unknown>][] {
  const out: [string, Record<string, unknown>][] = [];
  const seen = new Set<unknown>([root]);
  const visit = (obj: Record<string, unknown>, path: string, depth: number) => {
    if (depth > 8) return;
    const keys = depth === 0 ? [...Object.keys(obj), ...getters] : Object.keys(obj);
    for (const k of keys) {
      if (SKIP.has(k) || k.startsWith('_')) continue;
      const v = obj[k];
      if (!v || typeof v !== 'object' || Array.isArray(v) || v.constructor === Object || seen.has(v)) continue;
      seen.add(v);
      out.push([`${path}.${k}`, v as Record<string, unknown>]);
      visit(v as Record<string, unknown>, `${path}.${k}`, depth + 1);
    }
  };
  visit(root as Record<string, unknown>, name, 0);
  return out;
}

/**
 * Calls every method of every resource with `args`, one at a time, and returns what each requested.
 * `log` is the list the client's fetch appends to; a method has `settleMs` to make its first request.
 */
export async function callEverything(
  list: [string, Record<string, unknown>][],
  args: unknown[],
  log: { method: string; path: string }[],
  settleMs = 10,
): Promise<SurfaceCall[]> {
  const calls: SurfaceCall[] = [];
  for (const [path, obj] of list) {
    for (const m of methodsOf(obj)) {
      const start = log.length;
      let threw: string | undefined;
      try {
        const r = (obj[m] as (...a: unknown[]) => unknown).apply(obj, args) as Record<string, unknown> | undefined;
        if (r && typeof (r as { then?: unknown }).then === 'function') (r as unknown as Promise<unknown>).then(() => {}, () => {});
        if (r && typeof r.on === 'function') (r.on as (e: string, f: () => void) => void)('error', () => {});
        for (const k of ['done', 'finalChatCompletion', 'finalMessage', 'finalResponse']) {
          if (r && typeof r[k] === 'function') (r[k] as () => Promise<unknown>)().catch(() => {});
        }
      } catch (err) {
        threw = (err as Error).message;
      }
      await new Promise((res) => setTimeout(res, settleMs));
      calls.push({ method: `${path}.${m}`, requests: log.slice(start), threw });
    }
  }
  return calls;
}
