import { existsSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { loadPcpoModel, type PcpoModel } from '../model/index.js';
import type { Metrics } from './metrics.js';

export interface ReloadResult {
  readonly ok: boolean;
  readonly model_version: string | null;
  readonly error?: string;
}

/**
 * Holds the model being served. A reload loads the whole directory first and swaps only on success: a
 * corrupt or foreign-spec model is refused while the old one keeps serving.
 */
export class ModelRegistry {
  private current?: PcpoModel;
  private loadedAt?: string;
  private lastError?: string;
  private watchers: FSWatcher[] = [];
  private watching = false;
  private timer?: NodeJS.Timeout;

  constructor(readonly dir: string, private readonly metrics: Metrics, private readonly log: { info: (o: object, m: string) => void; warn: (o: object, m: string) => void }) {}

  get model(): PcpoModel | undefined {
    return this.current;
  }

  reload(): ReloadResult {
    try {
      const next = loadPcpoModel(this.dir);
      const previous = this.current?.version;
      this.current = next;
      this.loadedAt = new Date().toISOString();
      this.lastError = undefined;
      this.metrics.modelInfo.set({ version: next.version, feature_spec: next.card.feature_spec.version }, 1);
      this.metrics.modelReloads.inc({ result: 'ok' });
      this.log.info({ model_version: next.version, previous }, 'model loaded');
      return { ok: true, model_version: next.version };
    } catch (err) {
      this.lastError = (err as Error).message;
      this.metrics.modelReloads.inc({ result: 'refused' });
      this.log.warn({ err: this.lastError, serving: this.current?.version ?? null }, 'model refused; the previous model keeps serving');
      return { ok: false, model_version: this.current?.version ?? null, error: this.lastError };
    }
  }

  /**
   * Reloads when the model directory changes (debounced: a training run writes several files). Watches
   * the parent too, because `lutflow train` replaces the directory whole, and a watch on the old one
   * would go quiet.
   */
  watch(debounceMs = 300): void {
    if (this.watching) return;
    this.watching = true;
    const schedule = () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => { this.reload(); this.rewatch(schedule); }, debounceMs);
    };
    const parent = dirname(this.dir);
    if (existsSync(parent)) this.watchers.push(watch(parent, (_e, name) => { if (!name || name === basename(this.dir)) schedule(); }));
    this.rewatch(schedule);
  }

  private rewatch(schedule: () => void): void {
    while (this.watchers.length > 1) this.watchers.pop()!.close();
    if (this.watching && existsSync(this.dir)) this.watchers.push(watch(this.dir, schedule));
  }

  close(): void {
    this.watching = false;
    clearTimeout(this.timer);
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }

  describe() {
    const m = this.current;
    return {
      dir: this.dir,
      loaded_at: this.loadedAt ?? null,
      last_reload_error: this.lastError ?? null,
      model: m ? { version: m.version, created_at: m.card.created_at, feature_spec: m.card.feature_spec, data: m.card.data, library: m.card.library, targets: m.card.targets } : null,
    };
  }
}
