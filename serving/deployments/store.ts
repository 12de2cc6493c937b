import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeploymentView } from './view.js';

/**
 * Deployments kept as one JSON file each (written whole, then renamed), so that `report` answers after a restart and
 * a server that crashed finds the model servers it left running. In memory only without a directory.
 */
export class DeploymentStore {
  private readonly byId = new Map<string, DeploymentView>();

  constructor(private readonly dir?: string) {
    if (!dir || !existsSync(dir)) return;
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
      try {
        const v = JSON.parse(readFileSync(join(dir, f), 'utf8')) as DeploymentView;
        this.byId.set(v.id, v);
      } catch {
        // A file cut short by a crash while renaming is impossible; anything else unreadable is skipped.
      }
    }
  }

  get(id: string): DeploymentView | undefined {
    return this.byId.get(id);
  }

  all(): DeploymentView[] {
    return [...this.byId.values()].sort((a, b) => b.created_at.localeCompare(a.created_at) || a.id.localeCompare(b.id));
  }

  save(v: DeploymentView): void {
    this.byId.set(v.id, v);
    if (!this.dir) return;
    mkdirSync(this.dir, { recursive: true });
    const tmp = join(this.dir, `.${v.id}.tmp`);
    writeFileSync(tmp, JSON.stringify(v));
    renameSync(tmp, join(this.dir, `${v.id}.json`));
  }
}
