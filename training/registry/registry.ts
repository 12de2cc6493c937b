import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { loadPcpoModel, readCard, type CvMetrics, type ModelCard } from '../../model/index.js';

export type RegistryAction = 'promote' | 'rollback' | 'refuse';

export interface HistoryEntry {
  readonly at: string;
  readonly action: RegistryAction;
  readonly version: string;
  /** What served before (promote, rollback). */
  readonly previous: string | null;
  readonly reason: string;
}

export interface VersionInfo {
  readonly version: string;
  readonly created_at: string;
  readonly current: boolean;
  /** Promoted at some point and still on the rollback path. */
  readonly in_chain: boolean;
  readonly refused: boolean;
  readonly data: ModelCard['data'];
  readonly cv: Partial<Record<'self_hosted' | 'api', CvMetrics>>;
}

export class RegistryError extends Error {
  constructor(readonly code: 'NO_SUCH_VERSION' | 'NOTHING_TO_ROLL_BACK' | 'LOCKED' | 'NOT_A_REGISTRY', message: string, readonly field?: string) {
    super(message);
    this.name = 'RegistryError';
  }
}

const VERSION_NAME = /^[\w.-]+$/;

/**
 * Model versions side by side (`versions/<model_version>/`, each a whole model directory) and a pointer to
 * the one serving: `current`, a symbolic link replaced by a rename, so a reader sees the old model or the new
 * one and never a mix. Serving watches the pointer (`lutflow serve --model DIR/current`). `history.jsonl`
 * records every promotion, rollback and refusal; the promotions not rolled back form the rollback path.
 */
export class VersionRegistry {
  readonly versionsDir: string;
  readonly pointer: string;
  readonly historyFile: string;

  constructor(readonly dir: string) {
    this.versionsDir = join(dir, 'versions');
    this.pointer = join(dir, 'current');
    this.historyFile = join(dir, 'history.jsonl');
  }

  static isRegistry(dir: string): boolean {
    return existsSync(join(dir, 'versions'));
  }

  init(): this {
    mkdirSync(this.versionsDir, { recursive: true });
    return this;
  }

  versionDir(version: string): string {
    if (!VERSION_NAME.test(version)) throw new RegistryError('NO_SUCH_VERSION', `'${version}' is not a model version name`, 'version');
    return join(this.versionsDir, version);
  }

  current(): string | null {
    try {
      return basename(readlinkSync(this.pointer));
    } catch {
      return null;
    }
  }

  history(): HistoryEntry[] {
    if (!existsSync(this.historyFile)) return [];
    return readFileSync(this.historyFile, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as HistoryEntry);
  }

  /** Promotions not rolled back, oldest first: the last is what serves, the one before it is what rollback restores. */
  chain(): string[] {
    const stack: string[] = [];
    for (const e of this.history()) {
      if (e.action === 'promote') stack.push(e.version);
      else if (e.action === 'rollback') {
        stack.pop();
        if (stack[stack.length - 1] !== e.version) stack.push(e.version);
      }
    }
    return stack;
  }

  list(): VersionInfo[] {
    if (!existsSync(this.versionsDir)) return [];
    const current = this.current();
    const chain = new Set(this.chain());
    const refused = new Set(this.history().filter((e) => e.action === 'refuse').map((e) => e.version));
    const out: VersionInfo[] = [];
    for (const name of readdirSync(this.versionsDir)) {
      if (name.startsWith('.')) continue;
      let card: ModelCard;
      try {
        card = readCard(join(this.versionsDir, name));
      } catch {
        continue;
      }
      const cv: VersionInfo['cv'] = {};
      for (const t of Object.values(card.targets)) if (t) cv[t.run_kind] = t.cv.metrics;
      out.push({
        version: name,
        created_at: card.created_at,
        current: name === current,
        in_chain: chain.has(name),
        refused: refused.has(name) && !chain.has(name),
        data: card.data,
        cv,
      });
    }
    return out.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.version.localeCompare(b.version));
  }

  /** Moves a finished model directory in as a version (named by its card). */
  add(modelDir: string): string {
    const version = readCard(modelDir).model_version;
    const target = this.versionDir(version);
    if (existsSync(target)) rmSync(target, { recursive: true, force: true });
    renameSync(modelDir, target);
    return version;
  }

  /** Points `current` at a version after loading it whole; a corrupt version is refused and nothing changes. */
  promote(version: string, reason: string, action: 'promote' | 'rollback' = 'promote'): HistoryEntry {
    const dir = this.versionDir(version);
    if (!existsSync(dir)) throw new RegistryError('NO_SUCH_VERSION', `${this.dir}: no version ${version}`, 'version');
    loadPcpoModel(dir);
    const previous = this.current();
    const tmp = join(this.dir, `.current-${process.pid}-${Date.now()}`);
    symlinkSync(join('versions', version), tmp);
    renameSync(tmp, this.pointer);
    return this.record({ action, version, previous, reason });
  }

  rollback(reason = 'rollback requested'): HistoryEntry {
    const chain = this.chain();
    if (chain.length < 2) throw new RegistryError('NOTHING_TO_ROLL_BACK', `${this.dir}: no earlier promoted version to roll back to`);
    return this.promote(chain[chain.length - 2], reason, 'rollback');
  }

  record(e: Omit<HistoryEntry, 'at'>): HistoryEntry {
    const entry = { at: new Date().toISOString(), ...e };
    appendFileSync(this.historyFile, JSON.stringify(entry) + '\n');
    return entry;
  }

  /** Deletes the oldest versions beyond `keep`, never one that serves or that rollback may restore. */
  prune(keep: number): string[] {
    const protectedSet = new Set([...this.chain(), this.current()]);
    const removable = this.list().filter((v) => !protectedSet.has(v.version));
    const removed = removable.slice(0, Math.max(0, removable.length - keep)).map((v) => v.version);
    for (const v of removed) rmSync(this.versionDir(v), { recursive: true, force: true });
    return removed;
  }

  /** One writer at a time (a cron job and `lutflow serve --retrain`, say): a lock directory with the holder's pid. */
  lock(): () => void {
    mkdirSync(this.dir, { recursive: true });
    const lock = join(this.dir, '.lock');
    try {
      mkdirSync(lock);
    } catch {
      let pid = 0;
      try {
        pid = Number(readFileSync(join(lock, 'pid'), 'utf8').trim());
      } catch {
        pid = 0;
      }
      if (pid && alive(pid)) throw new RegistryError('LOCKED', `${this.dir}: another retrain (pid ${pid}) holds the registry`);
      rmSync(lock, { recursive: true, force: true });
      mkdirSync(lock);
    }
    writeFileSync(join(lock, 'pid'), String(process.pid));
    return () => rmSync(lock, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
