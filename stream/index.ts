export { TOPICS, deadLetterTopic, type ContractTopic } from './topics.js';
export { TelemetryEvent, TokenCounts, TELEMETRY_SCHEMA_VERSION } from './contracts/telemetry.js';
export { RunRecord, LaunchPlan, LaunchPrices, RunOutcome, RunKind, RUN_RECORD_SCHEMA_VERSION } from './contracts/pcpo-features.js';
export { DeadLetter, DEAD_LETTER_SCHEMA_VERSION } from './contracts/dead-letter.js';
export { validate, decode, assertValid, ContractError, type FieldError, type Validation, type TopicTypes } from './contracts/validate.js';
export { toDeadLetter, type DeadLetterSource } from './contracts/dead-letters.js';
export { CONTRACT_SCHEMAS } from './contracts/schemas.js';
export { createEmbeddedBus, type Transport, type TransportStats, type EmbeddedBusOptions } from './transport.js';
