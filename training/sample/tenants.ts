/** The sample's tenants: each a mix of API and self-hosted work with its own habits. */
export interface TenantProfile {
  readonly id: string;
  /** Share of all runs. */
  readonly weight: number;
  readonly apiShare: number;
  readonly workload: 'code' | 'conv';
  /** Shifts ln(output tokens): some tenants ask for longer answers than others. */
  readonly outputShift: number;
  readonly apiModels: readonly string[];
  readonly openModels: readonly string[];
  readonly gpus: readonly string[];
}

export const SAMPLE_TENANTS: readonly TenantProfile[] = [
  { id: 'acme', weight: 0.22, apiShare: 0.7, workload: 'conv', outputShift: 0, apiModels: ['gpt-4o-mini', 'gpt-4.1', 'claude-sonnet-4-5'], openModels: ['llama-3-8b', 'mistral-7b'], gpus: ['L4', 'A10G', 'H100-SXM'] },
  { id: 'globex', weight: 0.18, apiShare: 0.5, workload: 'code', outputShift: 0.2, apiModels: ['gpt-5-mini', 'claude-haiku-4-5', 'gemini-2.5-flash'], openModels: ['qwen2-7b', 'llama-3-70b'], gpus: ['A100-80GB', 'H100-SXM', 'MI300X'] },
  { id: 'initech', weight: 0.15, apiShare: 0.9, workload: 'conv', outputShift: -0.3, apiModels: ['gemini-2.0-flash', 'gpt-4o'], openModels: ['llama-3-8b'], gpus: ['L40S'] },
  { id: 'umbrella', weight: 0.17, apiShare: 0.2, workload: 'conv', outputShift: 0.1, apiModels: ['gpt-4o-mini'], openModels: ['mixtral-8x7b', 'llama-2-70b', 'llama-3-8b'], gpus: ['H100-SXM', 'H200', 'A100-40GB', 'L40S'] },
  { id: 'hooli', weight: 0.16, apiShare: 0.6, workload: 'code', outputShift: 0.3, apiModels: ['o4-mini', 'gpt-4.1-mini', 'claude-sonnet-4'], openModels: ['qwen2-7b'], gpus: ['A10G', 'L4'] },
  { id: 'stark', weight: 0.12, apiShare: 0.4, workload: 'conv', outputShift: 0, apiModels: ['gemini-2.5-pro', 'claude-opus-4-1'], openModels: ['qwen2-72b', 'llama-3.1-8b'], gpus: ['B200', 'H200', 'GH200', 'Gaudi2'] },
];
