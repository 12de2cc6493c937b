import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { builtinCatalog, type Catalog } from '../../../pricing/index.js';
import type { DeploymentSpec, ExitInfo, Runtime, RuntimeHandle, StopResult } from '../types.js';
import { chartValues, objectName, renderManifests, type DeploymentObject } from './manifests.js';

export interface KubernetesRuntimeOptions {
  /** A kubeconfig file (LUTFLOW_KUBECONFIG), or the config itself with `kubeconfigYaml`. */
  readonly kubeconfig?: string;
  readonly kubeconfigYaml?: string;
  /** The namespace when the request names none (default: the kubeconfig context's, else `default`). */
  readonly namespace?: string;
  /** How often the Deployment's status is read (default 1 s). */
  readonly pollMs?: number;
  /** The pod's termination grace period, in the manifests (default 10 s). */
  readonly graceMs?: number;
  readonly catalog?: Catalog;
}

const FIELD_MANAGER = 'lutflow';

const statusOf = (err: unknown): number | undefined => (err as { code?: number }).code;

/**
 * Model servers as a Kubernetes Deployment and Service (the chart in deploy/model-server, rendered in TypeScript),
 * applied with server-side apply through the official client. Ready when the Deployment has a ready replica; stopped
 * by scaling to zero replicas or by deleting both objects; gone once no replica (or no object) is left.
 */
export function kubernetesRuntime(opts: KubernetesRuntimeOptions): Runtime {
  const kc = new KubeConfig();
  if (opts.kubeconfigYaml) kc.loadFromString(opts.kubeconfigYaml);
  else if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
  else kc.loadFromDefault();
  const api = KubernetesObjectApi.makeApiClient(kc);
  const pollMs = opts.pollMs ?? 1000;
  const catalog = opts.catalog ?? builtinCatalog();
  const defaultNs = opts.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';

  const header = (name: string, namespace: string) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace } });
  const read = async (name: string, namespace: string): Promise<DeploymentObject | undefined> => {
    try {
      return (await api.read(header(name, namespace))) as unknown as DeploymentObject;
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  };
  const remove = async (obj: KubernetesObject, graceSeconds: number) => {
    try {
      await api.delete(obj, undefined, undefined, graceSeconds, undefined, 'Foreground');
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
  };

  return {
    name: 'kubernetes',
    async start(spec: DeploymentSpec): Promise<RuntimeHandle> {
      const namespace = spec.namespace ?? defaultNs;
      const graceMs = opts.graceMs ?? 10_000;
      const objects = renderManifests(chartValues(spec, catalog.gpus.get(spec.gpu_type), { graceMs }))
        .map((o) => ({ ...o, metadata: { ...o.metadata, namespace } }));
      for (const o of objects) {
        await api.patch(o as KubernetesObject, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
      }
      const name = objectName(spec.id);
      let stopping = false;
      let gone: (e: ExitInfo) => void = () => {};
      const exited = new Promise<ExitInfo>((resolve) => { gone = resolve; });
      // A Deployment deleted by someone else has ended on its own.
      void (async () => {
        while (!stopping) {
          await sleep(pollMs);
          if (stopping) return;
          const d = await read(name, namespace).catch(() => 'unreadable' as const);
          if (d === undefined) return gone({ code: null, signal: 'deleted' });
        }
      })();
      return {
        endpoint: `http://${name}.${namespace}.svc:8000`,
        namespace,
        exited,
        async ready(signal) {
          while (!signal.aborted) {
            const d = await read(name, namespace);
            if (!d) throw new Error(`Deployment ${namespace}/${name} is gone`);
            if ((d.status?.readyReplicas ?? 0) >= 1) return;
            await sleep(pollMs, undefined, { signal }).catch(() => {});
          }
          throw signal.reason instanceof Error ? signal.reason : new Error('health wait aborted');
        },
        async stop({ graceMs: grace, mode }): Promise<StopResult> {
          stopping = true;
          const until = Date.now() + grace + 30_000;
          if (mode === 'scale_to_zero') {
            await api.patch({ ...header(name, namespace), spec: { replicas: 0 } } as KubernetesObject, undefined, undefined, FIELD_MANAGER, undefined, PatchStrategy.MergePatch);
            for (;;) {
              const d = await read(name, namespace);
              if (!d || ((d.status?.replicas ?? 0) === 0 && (d.status?.readyReplicas ?? 0) === 0)) break;
              if (Date.now() > until) return { code: null, signal: 'scale_to_zero_timeout', forced: true };
              await sleep(pollMs);
            }
            return { code: null, signal: 'scaled_to_zero', forced: false };
          }
          const graceSeconds = Math.max(0, Math.ceil(grace / 1000));
          for (const o of objects) await remove(o as KubernetesObject, graceSeconds);
          while (await read(name, namespace)) {
            if (Date.now() > until) {
              await remove(objects[0] as KubernetesObject, 0);
              return { code: null, signal: 'deleted', forced: true };
            }
            await sleep(pollMs);
          }
          return { code: null, signal: 'deleted', forced: false };
        },
      };
    },
    async reclaim({ id, namespace }) {
      const ns = namespace ?? defaultNs;
      const name = objectName(id);
      const existed = (await read(name, ns)) !== undefined;
      await remove(header(name, ns), 0);
      await remove({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns } }, 0);
      return existed;
    },
  };
}
