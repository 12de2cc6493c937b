import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type ServerOptions } from '../../serving/app.js';
import { kubernetesRuntime } from '../../serving/deployments/kubernetes/runtime.js';
import type { DeploymentSettings } from '../../serving/deployments/options.js';
import type { DeploymentSpec } from '../../serving/deployments/types.js';
import type { DeploymentView } from '../../serving/deployments/view.js';
import { tempDir } from '../helpers/index.js';
import { ADMIN, auth, KEYS, modelDir } from '../serving/fixtures.js';
import { startKubeStub, type KubeStub } from './fixtures/kube-apiserver.js';
import { until } from './helpers.js';

let kube: KubeStub;
beforeAll(async () => { kube = await startKubeStub({ readyAfterMs: 300, terminateMs: 200 }); });
afterAll(async () => kube?.close());

const spec = (over: Partial<DeploymentSpec> = {}): DeploymentSpec => ({
  id: `d-${Math.random().toString(16).slice(2, 10)}`, tenant_id: 'acme/search', model: 'meta-llama/Llama-3.1-8B-Instruct', gpu_type: 'L4', gpu_count: 2,
  runtime: 'kubernetes', strategy: 'kill', framework: 'vllm', budget_micros: 1_000_000, ...over,
});

describe('the kubernetes runtime against a server speaking the Kubernetes API to the official client', () => {
  it('applies a Deployment and Service with GPU requests and a node selector, waits for a ready replica, scales to zero, deletes', async () => {
    const rt = kubernetesRuntime({ kubeconfigYaml: kube.kubeconfig(), pollMs: 50, graceMs: 5000 });
    const s = spec({ node_selector: { 'cloud.google.com/gke-accelerator': 'nvidia-l4' } });
    const h = await rt.start(s);
    const name = `lutflow-${s.id}`;
    const applies = kube.requests.filter((r) => r.method === 'PATCH' && r.contentType === 'application/apply-patch+yaml');
    expect(applies.map((r) => r.path)).toEqual([`/apis/apps/v1/namespaces/models/deployments/${name}`, `/api/v1/namespaces/models/services/${name}`]);
    const d = kube.objects.get(`models/deployments/${name}`)!;
    const pod = d.spec.template.spec;
    expect(pod.containers[0].resources).toEqual({ requests: { 'nvidia.com/gpu': '2' }, limits: { 'nvidia.com/gpu': '2' } });
    expect(pod.nodeSelector).toEqual({ 'nvidia.com/gpu.product': 'NVIDIA-L4', 'cloud.google.com/gke-accelerator': 'nvidia-l4' });
    expect(pod.containers[0].args).toEqual(['--model', 'meta-llama/Llama-3.1-8B-Instruct', '--port', '8000']);
    expect(d.metadata.annotations['lutflow.dev/tenant']).toBe('acme/search');
    expect(pod.terminationGracePeriodSeconds).toBe(5);
    await h.ready(AbortSignal.timeout(5000));
    expect(kube.objects.get(`models/deployments/${name}`)!.status.readyReplicas).toBe(1);
    const scaled = await h.stop({ graceMs: 5000, mode: 'scale_to_zero' });
    expect(scaled).toMatchObject({ forced: false, signal: 'scaled_to_zero' });
    expect(kube.objects.get(`models/deployments/${name}`)!.spec.replicas).toBe(0);
    expect(kube.requests.some((r) => r.contentType === 'application/merge-patch+json' && (r.body as { spec: { replicas: number } }).spec.replicas === 0)).toBe(true);
    expect(await rt.reclaim({ id: s.id, pgid: null, namespace: 'models' })).toBe(true);
    await until(() => !kube.objects.has(`models/deployments/${name}`) && !kube.objects.has(`models/services/${name}`), 'both objects deleted');
    expect(await rt.reclaim({ id: s.id, pgid: null, namespace: null })).toBe(false);
  });

  it('answers a refused credential and an invalid object with the API server\'s own errors', async () => {
    const wrong = kubernetesRuntime({ kubeconfigYaml: kube.kubeconfig().replace(kube.token, 'wrong-token') });
    await expect(wrong.start(spec())).rejects.toMatchObject({ code: 401 });
    const rt = kubernetesRuntime({ kubeconfigYaml: kube.kubeconfig() });
    await expect(rt.start(spec({ node_selector: { gpu: 'not a valid/label value' } }))).rejects.toMatchObject({ code: 422 });
  });
});

describe('deployments on kubernetes through the serving API', () => {
  let app: FastifyInstance;
  const view = async (id: string): Promise<DeploymentView> => (await app.inject({ method: 'GET', url: `/deployments/${id}`, headers: auth(ADMIN) })).json();
  beforeAll(async () => {
    const kubeconfig = join(tempDir(), 'kubeconfig');
    writeFileSync(kubeconfig, kube.kubeconfig('gpu-jobs'));
    const opts: ServerOptions & { deployments: DeploymentSettings } = {
      modelDir: modelDir(), apiKeys: KEYS, watchModel: false, alertIntervalMs: 0,
      deployments: { tickMs: 100, graceMs: 1000, healthTimeoutMs: 5000, kubeconfig },
    };
    app = (await buildServer(opts)).app;
  });
  afterAll(async () => app?.close());

  it('meters a deployment from apply to delete, stops it at the budget and settles; scale_to_zero keeps its objects at 0 replicas', async () => {
    const post = (strategy: string, budget: number) => app.inject({
      method: 'POST', url: '/deployments', headers: auth(ADMIN),
      payload: { tenant_id: 'acme', model: 'llama-3-8b', gpu_type: 'L4', gpu_count: 1, runtime: 'kubernetes', strategy, budget_usd: budget },
    });
    const killed: DeploymentView = (await post('kill', 0.0003)).json().deployment;
    const scaled: DeploymentView = (await post('scale_to_zero', 0.0003)).json().deployment;
    await until(async () => (await view(killed.id)).settled !== null && (await view(scaled.id)).settled !== null, 'both settled', 30_000);
    const k = await view(killed.id);
    const s = await view(scaled.id);
    expect(k).toMatchObject({ state: 'killed', reason: 'budget', runtime: 'kubernetes', namespace: 'gpu-jobs', endpoint: `http://lutflow-${k.id}.gpu-jobs.svc:8000` });
    expect(s).toMatchObject({ state: 'stopped', reason: 'budget' });
    for (const v of [k, s]) expect(v.settled!.micros).toBe(v.spent_micros);
    expect(kube.objects.has(`gpu-jobs/deployments/lutflow-${k.id}`)).toBe(false);
    expect(kube.objects.get(`gpu-jobs/deployments/lutflow-${s.id}`)!.spec.replicas).toBe(0);
  });
});
