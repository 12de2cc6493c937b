import { microsToUsd } from '../../../pricing/index.js';
import type { SpendTallyView } from './schemas.js';

/** One cost: a telemetry event, or a finished run of the run table. */
export interface SpendItem {
  readonly at: number;
  readonly micros: number;
  readonly model: string;
  readonly provider: string;
  readonly deployment?: string;
  readonly tokens?: Partial<Record<keyof typeof ZERO_TOKENS, number>>;
  readonly gpuSeconds?: number;
}

const ZERO_TOKENS = { input: 0, cached_input: 0, cache_write: 0, output: 0, reasoning: 0 };
const TOKEN_KINDS = Object.keys(ZERO_TOKENS) as (keyof typeof ZERO_TOKENS)[];
/** Names kept apart per breakdown; the rest are summed as OTHER, so a flood of names cannot grow memory. */
const MAX_NAMES = 200;
const MAX_DAYS = 92;
const OTHER = '(other)';
const DAY_MS = 86_400_000;

interface Share { micros: number; calls: number }

function bump(map: Map<string, Share>, name: string, micros: number): void {
  const key = map.has(name) || map.size < MAX_NAMES ? name : OTHER;
  const s = map.get(key);
  if (s) { s.micros += micros; s.calls++; } else map.set(key, { micros, calls: 1 });
}

const shares = (map: Map<string, Share>) => [...map]
  .map(([name, s]) => ({ name, spend_micros: s.micros, spend_usd: microsToUsd(s.micros), calls: s.calls }))
  .sort((a, b) => b.spend_micros - a.spend_micros || a.name.localeCompare(b.name));

/** Spend summed by day, model, provider and deployment, in integer micro-dollars; memory bounded whatever comes. */
export class SpendTally {
  private micros = 0;
  private calls = 0;
  private gpuSeconds = 0;
  private first = Infinity;
  private last = -Infinity;
  private readonly tokens = { ...ZERO_TOKENS };
  private readonly days = new Map<number, Share>();
  private readonly models = new Map<string, Share>();
  private readonly providers = new Map<string, Share>();
  private readonly deployments = new Map<string, Share>();

  add(item: SpendItem): void {
    this.micros += item.micros;
    this.calls++;
    this.gpuSeconds += item.gpuSeconds ?? 0;
    this.first = Math.min(this.first, item.at);
    this.last = Math.max(this.last, item.at);
    if (item.tokens) for (const k of TOKEN_KINDS) this.tokens[k] += item.tokens[k] ?? 0;
    this.addDay(Math.floor(item.at / DAY_MS), item.micros);
    bump(this.models, item.model, item.micros);
    bump(this.providers, item.provider, item.micros);
    if (item.deployment) bump(this.deployments, item.deployment, item.micros);
  }

  /** Only the latest MAX_DAYS days are kept: an older day is dropped, or not started. */
  private addDay(day: number, micros: number): void {
    const s = this.days.get(day);
    if (s) { s.micros += micros; s.calls++; return; }
    if (this.days.size >= MAX_DAYS) {
      const oldest = Math.min(...this.days.keys());
      if (day < oldest) return;
      this.days.delete(oldest);
    }
    this.days.set(day, { micros, calls: 1 });
  }

  view(): SpendTallyView {
    const iso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : null);
    return {
      spend_micros: this.micros, spend_usd: microsToUsd(this.micros), calls: this.calls, tokens: { ...this.tokens },
      gpu_seconds: Math.round(this.gpuSeconds * 1000) / 1000, first_at: iso(this.first), last_at: iso(this.last),
      daily: [...this.days].sort((a, b) => a[0] - b[0]).map(([d, s]) => ({
        day: new Date(d * DAY_MS).toISOString().slice(0, 10), spend_micros: s.micros, spend_usd: microsToUsd(s.micros), calls: s.calls,
      })),
      by_model: shares(this.models), by_provider: shares(this.providers), by_deployment: shares(this.deployments),
    };
  }
}
