import type { PlanSummary } from '../../api/types.js';

/** `llama-3-8b on 2 x H100 (vllm)` or `gpt-4o (openai)`. */
export const describePlan = (p: PlanSummary) => (p.kind === 'self_hosted'
  ? `${p.model} on ${p.gpu_count ?? '?'} x ${p.gpu_type ?? '?'}${p.framework ? ` (${p.framework})` : ''}`
  : `${p.model}${p.provider ? ` (${p.provider})` : ''}`);
