import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { builtinCatalog } from '../../pricing/index.js';
import { generateSample, trainPcpo } from '../../training/index.js';
import { tempDir } from '../helpers/index.js';

export const ADMIN = 'admin-key-0123456789abcdef';
export const ACME = 'acme-key-0123456789abcdef';
export const GLOBEX = 'globex-key-0123456789abcdef';
export const KEYS = [
  { key: ADMIN, tenants: ['*'] },
  { key: ACME, tenants: ['acme'] },
  { key: GLOBEX, tenants: ['globex'] },
];

let trained: string | undefined;

/** A small model trained once per test file, copied so a test may break its copy. */
export function modelDir(): string {
  if (!trained) {
    trained = join(tempDir('lutflow-serving-model-'), 'pcpo');
    const catalog = builtinCatalog();
    trainPcpo({ records: generateSample({ catalog, seed: 3, runs: 1500 }).records, out: trained, catalog, source: 'test sample', rounds: 120 });
  }
  const copy = join(tempDir('lutflow-model-copy-'), 'pcpo');
  cpSync(trained, copy, { recursive: true });
  return copy;
}

export const gpuPlan = (over: Record<string, unknown> = {}) => ({
  kind: 'self_hosted', model: 'llama-3-8b', gpu_type: 'H100', gpu_count: 1, framework: 'vllm', batch_size: 16, requests: 64, prompt_tokens: 512, max_output_tokens: 256, ...over,
});

export const apiPlan = (over: Record<string, unknown> = {}) => ({
  kind: 'api', provider: 'openai', model: 'gpt-4o', batch_size: 1, requests: 50, prompt_tokens: 1000, max_output_tokens: 1024, ...over,
});

export const auth = (key: string) => ({ authorization: `Bearer ${key}` });
