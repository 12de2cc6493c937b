import type { RunRecord } from '../../stream/index.js';

/** A valid finished API run: 50 gpt-4o requests. */
export const apiRun = (): RunRecord => ({
  schema_version: 1, run_id: 'r1', tenant_id: 'acme', launched_at: '2026-10-01T10:00:00Z',
  plan: { kind: 'api', provider: 'openai', model: 'gpt-4o', batch_size: 1, requests: 50, prompt_tokens: 1000, max_output_tokens: 1024 },
  outcome: { ended_at: '2026-10-01T10:05:00Z', status: 'succeeded', input_tokens: 50_000, output_tokens: 9_000, cost_usd_micros: 215_000 },
});
