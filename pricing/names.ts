import { PricingError, type PricingErrorCode } from './errors.js';

/** Words that vendors put around a product name and that never tell two products apart. */
const NOISE = /\b(nvidia|amd|intel|habana|instinct|tensor|core|gpu|accelerator)\b/g;

/** `nvidia-l4`, `L4` and `NVIDIA L4 GPU` all normalise to `l4`. */
export function normaliseName(name: string): string {
  return name.toLowerCase().replace(NOISE, ' ').replace(/[^a-z0-9.]+/g, '').replace(/\./g, '');
}

function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

export interface Named {
  readonly id: string;
  readonly aliases?: readonly string[];
}

/**
 * Resolves free-form names to catalog entries. Exact normalised match on the id or an alias first,
 * then the `fallback` key transform (e.g. dropping a date suffix); otherwise an error listing the closest ids.
 */
export class NameRegistry<T extends Named> {
  private readonly byKey = new Map<string, T>();
  private readonly cache = new Map<string, T>();

  constructor(
    readonly entries: readonly T[],
    private readonly errorCode: PricingErrorCode,
    private readonly what: string,
    private readonly normalise: (name: string) => string = normaliseName,
    private readonly fallback?: (name: string) => string,
    /** `first-wins` for imported files whose keys may collide once normalised; built-in catalogs must be unambiguous. */
    duplicates: 'throw' | 'first-wins' = 'throw',
  ) {
    for (const e of entries) {
      for (const n of [e.id, ...(e.aliases ?? [])]) {
        const key = this.normalise(n);
        const seen = this.byKey.get(key);
        if (seen && seen !== e) {
          if (duplicates === 'first-wins') continue;
          throw new Error(`catalog: ${what} name '${n}' is claimed by '${seen.id}' and '${e.id}'`);
        }
        this.byKey.set(key, e);
      }
    }
  }

  find(name: string): T | undefined {
    const hit = this.cache.get(name);
    if (hit) return hit;
    let entry = this.byKey.get(this.normalise(name));
    if (!entry && this.fallback) entry = this.byKey.get(this.normalise(this.fallback(name)));
    if (entry) this.cache.set(name, entry);
    return entry;
  }

  get(name: string, field?: string): T {
    const entry = this.find(name);
    if (entry) return entry;
    const closest = this.closest(name);
    throw new PricingError(
      this.errorCode,
      `unknown ${this.what} '${name}'${field ? ` in ${field}` : ''}; closest known: ${closest.join(', ')}`,
      { field, closest },
    );
  }

  closest(name: string, n = 3): string[] {
    const key = this.normalise(name);
    const scored = new Map<string, number>();
    for (const [k, e] of this.byKey) {
      const d = editDistance(key, k) - (k.includes(key) || key.includes(k) ? 2 : 0);
      const best = scored.get(e.id);
      if (best === undefined || d < best) scored.set(e.id, d);
    }
    return [...scored.entries()].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])).slice(0, n).map(([id]) => id);
  }
}
