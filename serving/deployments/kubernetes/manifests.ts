import type { GpuSpec } from '../../../pricing/index.js';
import type { DeploymentSpec } from '../types.js';

/** The chart in deploy/model-server, version-locked to these renderers by test/deployments/chart.test.ts. */
export const CHART = { name: 'lutflow-model-server', version: '0.1.0' };

/** The values of deploy/model-server/values.yaml a deployment sets (the others keep the chart's defaults). */
export interface ChartValues {
  readonly deploymentId: string;
  readonly tenant: string;
  readonly model: string;
  readonly image: { readonly repository: string; readonly tag: string; readonly pullPolicy: string };
  readonly args: readonly string[];
  readonly port: number;
  readonly replicas: number;
  readonly gpu: { readonly count: number; readonly resource: string };
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly { key: string; operator: string; effect: string }[];
  readonly healthPath: string;
  readonly terminationGracePeriodSeconds: number;
}

/** NVIDIA GPU feature discovery's `nvidia.com/gpu.product` label for the GPU types Lutflow prices. */
const PRODUCT_LABELS: Record<string, string> = {
  T4: 'Tesla-T4', L4: 'NVIDIA-L4', A10G: 'NVIDIA-A10G', A10: 'NVIDIA-A10', L40S: 'NVIDIA-L40S', L40: 'NVIDIA-L40', V100: 'Tesla-V100-SXM2-16GB',
  'A100-40GB': 'NVIDIA-A100-SXM4-40GB', 'A100-80GB': 'NVIDIA-A100-SXM4-80GB', 'H100-SXM': 'NVIDIA-H100-80GB-HBM3', 'H100-PCIe': 'NVIDIA-H100-PCIe',
  H200: 'NVIDIA-H200', B200: 'NVIDIA-B200', GH200: 'NVIDIA-GH200-480GB', A6000: 'NVIDIA-RTX-A6000', A40: 'NVIDIA-A40',
};

const RESOURCES: Record<GpuSpec['vendor'], string> = { nvidia: 'nvidia.com/gpu', amd: 'amd.com/gpu', intel: 'habana.ai/gaudi', sambanova: 'sambanova.ai/rdu' };

export const DEFAULT_IMAGE = { repository: 'vllm/vllm-openai', tag: 'v0.11.0', pullPolicy: 'IfNotPresent' };

/** A deployment's chart values: the GPU resource of its vendor, the product label of its GPU type, its grace period. */
export function chartValues(spec: DeploymentSpec, gpu: GpuSpec, opts: { graceMs: number }): ChartValues {
  const [repository, tag] = spec.image ? splitImage(spec.image) : [DEFAULT_IMAGE.repository, DEFAULT_IMAGE.tag];
  const product = PRODUCT_LABELS[gpu.id];
  return {
    deploymentId: spec.id, tenant: spec.tenant_id, model: spec.model,
    image: { repository, tag, pullPolicy: DEFAULT_IMAGE.pullPolicy },
    args: spec.command ?? [], port: 8000, replicas: 1,
    gpu: { count: spec.gpu_count, resource: RESOURCES[gpu.vendor] },
    nodeSelector: { ...(product ? { 'nvidia.com/gpu.product': product } : {}), ...spec.node_selector },
    tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
    healthPath: spec.health_path ?? '/health',
    terminationGracePeriodSeconds: Math.max(1, Math.ceil(opts.graceMs / 1000)),
  };
}

function splitImage(image: string): [string, string] {
  const at = image.lastIndexOf(':');
  return at > image.lastIndexOf('/') ? [image.slice(0, at), image.slice(at + 1)] : [image, 'latest'];
}

export const objectName = (id: string) => `lutflow-${id}`.slice(0, 63).replace(/-+$/, '');

/** The chart's Deployment and Service for these values, as `helm template` renders them. */
export function renderManifests(v: ChartValues): [DeploymentObject, ServiceObject] {
  const name = objectName(v.deploymentId);
  const selector = { 'app.kubernetes.io/name': 'lutflow-model-server', 'lutflow.dev/deployment': v.deploymentId };
  const labels = { ...selector, 'app.kubernetes.io/managed-by': 'lutflow', 'helm.sh/chart': `${CHART.name}-${CHART.version}` };
  const probe = { httpGet: { path: v.healthPath, port: 'http' } };
  const gpus = { [v.gpu.resource]: String(v.gpu.count) };
  const deployment: DeploymentObject = {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name, labels, annotations: { 'lutflow.dev/tenant': v.tenant, 'lutflow.dev/model': v.model } },
    spec: {
      replicas: v.replicas,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: selector },
        spec: {
          terminationGracePeriodSeconds: v.terminationGracePeriodSeconds,
          ...(Object.keys(v.nodeSelector).length ? { nodeSelector: { ...v.nodeSelector } } : {}),
          ...(v.tolerations.length ? { tolerations: v.tolerations.map((t) => ({ ...t })) } : {}),
          containers: [{
            name: 'server', image: `${v.image.repository}:${v.image.tag}`, imagePullPolicy: v.image.pullPolicy,
            args: v.args.length ? [...v.args] : ['--model', v.model, '--port', String(v.port)],
            ports: [{ name: 'http', containerPort: v.port }],
            resources: { requests: gpus, limits: { ...gpus } },
            readinessProbe: { ...probe, periodSeconds: 5 },
            startupProbe: { ...probe, periodSeconds: 10, failureThreshold: 60 },
          }],
        },
      },
    },
  };
  const service: ServiceObject = {
    apiVersion: 'v1', kind: 'Service', metadata: { name, labels: { ...labels } },
    spec: { selector: { ...selector }, ports: [{ name: 'http', port: v.port, targetPort: 'http' }] },
  };
  return [deployment, service];
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface DeploymentObject {
  apiVersion: 'apps/v1';
  kind: 'Deployment';
  metadata: ObjectMeta;
  spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> } };
  status?: { replicas?: number; readyReplicas?: number; availableReplicas?: number };
}

export interface ServiceObject {
  apiVersion: 'v1';
  kind: 'Service';
  metadata: ObjectMeta;
  spec: Record<string, unknown>;
}
