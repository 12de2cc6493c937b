import type { Meter } from '../meter.js';

/** One shape for every provider: recognise a client, and wrap it so its calls go through the meter. */
export interface ProviderAdapter {
  readonly name: string;
  matches(client: unknown): boolean;
  wrap<T extends object>(client: T, meter: Meter, opts: { provider: string }): T;
}

/** Provider payloads are read structurally: the provider SDKs are optional peer dependencies. */
export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
