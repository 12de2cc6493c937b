export const TOPICS = {
  telemetry: 'lut.telemetry',
  runRecords: 'lut.pcpo-features',
  costWindows: 'lut.cost-windows',
} as const;

export type ContractTopic = typeof TOPICS.telemetry | typeof TOPICS.runRecords;

export const deadLetterTopic = (topic: string): string => `${topic}.dlq`;
