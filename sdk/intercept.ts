/** Replaces the methods at `paths` (e.g. `chat.completions.create`) of a client, keeping its type and everything else. */
export type Interceptor = (original: (...args: unknown[]) => unknown, thisArg: unknown, args: unknown[]) => unknown;

export function interceptPaths<T extends object>(target: T, interceptors: Readonly<Record<string, Interceptor>>, prefix = ''): T {
  const proxies = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver);
      if (typeof prop !== 'string') return value;
      const path = prefix ? `${prefix}.${prop}` : prop;
      const cached = proxies.get(prop);
      if (cached) return cached;
      const interceptor = interceptors[path];
      if (interceptor && typeof value === 'function') {
        const wrapped = (...args: unknown[]) => interceptor(value as (...a: unknown[]) => unknown, obj, args);
        proxies.set(prop, wrapped);
        return wrapped;
      }
      if (value && typeof value === 'object' && Object.keys(interceptors).some((p) => p.startsWith(`${path}.`))) {
        const sub = interceptPaths(value as object, interceptors, path);
        proxies.set(prop, sub);
        return sub;
      }
      return value;
    },
  });
}
