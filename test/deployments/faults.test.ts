import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../pricing/index.js';
import { localRuntime } from '../../serving/deployments/local-runtime.js';
import { DeploymentService } from '../../serving/deployments/service.js';
import { FileLedger, LedgerError, type Ledger } from '../../serving/ledger/index.js';
import type { Predictor } from '../../serving/predictor.js';
import { tempDir } from '../helpers/index.js';
import { modelServerCommand, until } from './helpers.js';

const noModel: Predictor = { predict: () => { throw new Error('no workload here'); } };

/** A ledger that is away (LEDGER_UNAVAILABLE) for the calls `down` says, as a lost database or a full disk is. */
function flaky(inner: Ledger, down: (method: string, n: number) => boolean): Ledger & { calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'calls') return calls;
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        const name = String(prop);
        calls[name] = (calls[name] ?? 0) + 1;
        if (down(name, calls[name])) return Promise.reject(new LedgerError('LEDGER_UNAVAILABLE', 'the ledger is away'));
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as Ledger & { calls: Record<string, number> };
}

describe('deployments when things fail around them', () => {
  it('loses no spend while the ledger is away: ticks it refused are charged by the settle, which is retried until it lands', async () => {
    const inner = new FileLedger({ clock: Date.now });
    const ledger = flaky(inner, (m, n) => (m === 'charge' && n % 2 === 0) || (m === 'settle' && n <= 2));
    const logs: string[] = [];
    const s = new DeploymentService({ ledger, catalog: builtinCatalog(), predictor: noModel, clock: Date.now, log: { warn: (_, m) => logs.push(m), error: (_, m) => logs.push(m) } }, {
      tickMs: 100, graceMs: 1000, healthTimeoutMs: 10_000, runtimes: { local: localRuntime({ healthIntervalMs: 50 }) },
      dir: join(writeBlocker(), 'deployments'),
    });
    const r = await s.create({ tenant_id: 'acme', model: 'tiny', gpu_type: 'H100', gpu_count: 1, runtime: 'local', strategy: 'kill', framework: 'vllm', budget_micros: 1_000_000, command: modelServerCommand() });
    if (r.decision !== 'allow') throw new Error(r.reason);
    await until(() => s.get(r.deployment.id)?.state === 'running', 'running');
    await new Promise((res) => setTimeout(res, 500));
    const v = (await s.kill(r.deployment.id, 'done'))!;
    expect(v).toMatchObject({ state: 'killed', reason: 'done' });
    expect(ledger.calls.settle).toBe(3);
    expect(v.settled!.micros).toBe(v.spent_micros);
    const scope = await inner.status(v.scope);
    expect(scope.spent_micros).toBe(v.spent_micros);
    expect(scope.reserved_micros).toBe(0);
    expect(logs).toContain('GPU-time tick not charged; the settle will');
    expect(logs).toContain('deployment record not written');
  });
});

/** A path under which no directory can be made (a file stands where the folder would be): every record write fails. */
function writeBlocker(): string {
  const file = join(tempDir(), 'not-a-dir');
  writeFileSync(file, '');
  return file;
}
