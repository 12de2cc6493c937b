export const TOPICS = {
  telemetry: 'lut.telemetry',
  runRecords: 'lut.pcpo-features',
  costWindows: 'lut.cost-windows',
} as const;

export type ContractTopic = (typeof TOPICS)[keyof typeof TOPICS];

export const deadLetterTopic = (topic: string): string => `${topic}.dlq`;

/**
 * The key a contract names: telemetry by tenant (one tenant's events stay in order on one partition, which
 * its cost windows' watermark relies on), run records by run id.
 */
export function keyFor(topic: string, value: unknown): string | undefined {
  const v = value as { tenant_id?: string; run_id?: string } | null;
  if (!v || typeof v !== 'object') return undefined;
  if (topic === TOPICS.telemetry) return v.tenant_id;
  if (topic === TOPICS.runRecords) return v.run_id;
  return undefined;
}
