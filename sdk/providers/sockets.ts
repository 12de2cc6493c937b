import { MeteringError } from '../errors.js';
import type { Meter } from '../meter.js';
import type { Json } from './types.js';

/**
 * Methods that open a WebSocket (Gemini Live, Live Music) bypass `fetch`, so the meter never sees
 * their traffic: on a wrapped client they are refused as paid-but-unpriced endpoints, unless the
 * client allows those (then they run unmetered, with a warning).
 */
export function guardSockets(client: object, paths: readonly string[], meter: Meter, provider: string): void {
  for (const path of paths) {
    const keys = path.split('.');
    const name = keys.pop()!;
    const owner = keys.reduce<Json | undefined>((o, k) => o?.[k], client as Json);
    const original = owner?.[name];
    if (typeof original !== 'function') continue;
    owner![name] = (...args: unknown[]) => {
      const err = new MeteringError('UNPRICED_ENDPOINT', `${provider} ${path} opens a WebSocket that Lutflow cannot meter; set allowUnpricedEndpoints to let it through unmetered`, path);
      if (!meter.allowUnpricedEndpoints) return Promise.reject(err);
      meter.warn(`lutflow: ${provider} ${path} is not metered: let through`);
      return original.apply(owner, args);
    };
  }
}
