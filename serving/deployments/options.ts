import { join } from 'node:path';
import { localRuntime } from './local-runtime.js';
import type { DeploymentOptions } from './service.js';
import type { Runtime, RuntimeName } from './types.js';

/** How the server runs deployments, from the environment (`lutflow serve`), merged under what a caller passes. */
export interface DeploymentSettings extends DeploymentOptions {
  /** The kubernetes runtime, when a kubeconfig is given (LUTFLOW_KUBECONFIG). */
  readonly kubeconfig?: string;
  /** The local runtime's default server command (LUTFLOW_DEPLOY_COMMAND, a JSON array; `{model}`, `{port}`). */
  readonly defaultCommand?: readonly string[];
}

function ms(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new Error(`${name} must be a positive number of milliseconds, got '${v}'`);
  return n;
}

/**
 * LUTFLOW_DEPLOY_TICK_MS (1000), LUTFLOW_DEPLOY_GRACE_MS (10000), LUTFLOW_DEPLOY_HEALTH_TIMEOUT_MS (600000),
 * LUTFLOW_DEPLOY_COMMAND, LUTFLOW_KUBECONFIG; deployments are kept in `<ledger dir>/deployments`.
 */
export function deploymentSettings(env: NodeJS.ProcessEnv, ledgerDir: string | undefined, given: DeploymentSettings = {}): DeploymentSettings {
  const command = env.LUTFLOW_DEPLOY_COMMAND ? (JSON.parse(env.LUTFLOW_DEPLOY_COMMAND) as unknown) : undefined;
  if (command !== undefined && !(Array.isArray(command) && command.length && command.every((c) => typeof c === 'string'))) {
    throw new Error('LUTFLOW_DEPLOY_COMMAND must be a JSON array of strings, e.g. ["vllm","serve","{model}","--port","{port}"]');
  }
  return {
    tickMs: ms(env, 'LUTFLOW_DEPLOY_TICK_MS'),
    graceMs: ms(env, 'LUTFLOW_DEPLOY_GRACE_MS'),
    healthTimeoutMs: ms(env, 'LUTFLOW_DEPLOY_HEALTH_TIMEOUT_MS'),
    dir: ledgerDir === undefined ? undefined : join(ledgerDir, 'deployments'),
    kubeconfig: env.LUTFLOW_KUBECONFIG || undefined,
    defaultCommand: command as string[] | undefined,
    ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)),
  };
}

/** The runtimes a server has: local always; kubernetes with a kubeconfig. */
export async function runtimesFor(s: DeploymentSettings): Promise<Partial<Record<RuntimeName, Runtime>>> {
  if (s.runtimes) return s.runtimes;
  const out: Partial<Record<RuntimeName, Runtime>> = { local: localRuntime({ logDir: s.dir && join(s.dir, 'logs') }) };
  if (s.kubeconfig) {
    const { kubernetesRuntime } = await import('./kubernetes/runtime.js');
    out.kubernetes = kubernetesRuntime({ kubeconfig: s.kubeconfig });
  }
  return out;
}
