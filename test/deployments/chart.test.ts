import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { loadAllYaml } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../pricing/index.js';
import { chartValues, renderManifests } from '../../serving/deployments/kubernetes/manifests.js';
import type { DeploymentSpec } from '../../serving/deployments/types.js';
import { ROOT, tempDir } from '../helpers/index.js';

const CHART = join(ROOT, 'deploy/model-server');
const VALIDATE = join(ROOT, '.venv/bin/kubernetes-validate');

/** helm as deploy/tools.sh builds it (CI runs that first), or HELM. */
function helm(): string {
  const cached = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'lutflow/tools/helm-v3.22.0/helm');
  const path = process.env.HELM ?? cached;
  if (!existsSync(path)) throw new Error(`no helm at ${path}: run 'bash deploy/tools.sh' (builds helm v3.22.0 with go install, once)`);
  return path;
}

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const base: DeploymentSpec = {
  id: 'd-0123abcd', tenant_id: 'acme/search', model: 'TinyLlama/TinyLlama-1.1B-Chat-v1.0', gpu_type: 'L4', gpu_count: 1, runtime: 'kubernetes',
  strategy: 'kill', framework: 'vllm', budget_micros: 100_000,
};
const CASES: [string, DeploymentSpec, number][] = [
  ['defaults', base, 10_000],
  ['AMD GPUs, an image and arguments of its own, a node selector, a longer grace', {
    ...base, id: 'd-99887766', gpu_type: 'MI300X', gpu_count: 8, model: 'meta-llama/Llama-3.1-70B-Instruct', image: 'rocm/vllm:rocm6.3_vllm0.8',
    command: ['--model', 'meta-llama/Llama-3.1-70B-Instruct', '--tensor-parallel-size', '8'], node_selector: { 'topology.kubernetes.io/zone': 'us-east-1a' },
  }, 45_000],
  ['an H100 with a registry port in its image', { ...base, id: 'd-aaaabbbb', gpu_type: 'H100', gpu_count: 4, image: 'registry.local:5000/tgi', health_path: '/healthz' }, 1_000],
];

describe('the Helm chart (deploy/model-server), checked offline', () => {
  const catalog = builtinCatalog();

  it('lints clean', () => {
    expect(run(helm(), ['lint', CHART, '--strict', '--set', 'deploymentId=d-1', '--set', 'model=m'])).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it.each(CASES)('renders exactly what the runtime applies, valid for Kubernetes 1.37 (%s)', (_, spec, graceMs) => {
    const values = chartValues(spec, catalog.gpus.get(spec.gpu_type), { graceMs });
    const file = join(tempDir(), 'values.json');
    writeFileSync(file, JSON.stringify(values));
    const rendered = run(helm(), ['template', `lutflow-${spec.id}`, CHART, '--values', file]);
    const fromHelm = (loadAllYaml(rendered) as { kind: string }[]).sort((a, b) => a.kind.localeCompare(b.kind));
    const fromTs = renderManifests(values).sort((a, b) => a.kind.localeCompare(b.kind));
    expect(fromHelm).toEqual(JSON.parse(JSON.stringify(fromTs)));
    const out = join(tempDir(), 'rendered.yaml');
    writeFileSync(out, rendered);
    expect(existsSync(VALIDATE), `no ${VALIDATE}: run 'bash scripts/setup.sh'`).toBe(true);
    const v = run(VALIDATE, ['-k', '1.37.0', '--strict', out]);
    expect(v).toMatch(/passed for resource deployment\/lutflow-/);
    expect(v).toMatch(/passed for resource service\/lutflow-/);
  });

  it('refuses values without a deployment id or a model, and the validator catches a broken object', () => {
    expect(() => run(helm(), ['template', 'x', CHART, '--set', 'model=m'])).toThrow(/deploymentId is required/);
    expect(() => run(helm(), ['template', 'x', CHART, '--set', 'deploymentId=d-1'])).toThrow(/model is required/);
    const broken = join(tempDir(), 'broken.yaml');
    writeFileSync(broken, run(helm(), ['template', 'x', CHART, '--set', 'deploymentId=d-1', '--set', 'model=m']).replace('replicas: 1', 'replicas: "one"'));
    expect(() => run(VALIDATE, ['-k', '1.37.0', '--strict', broken])).toThrow();
  });
});
