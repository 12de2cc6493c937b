/** Lutflow's public surface. Each part's own index.ts says what it exports; this file gathers them. */
export * from './pricing/index.js';
export * from './stream/index.js';
export * from './features/index.js';
export { readDeltaTable, appendToDeltaTable, DeltaError } from './delta/index.js';
export * from './training/index.js';
export * from './sdk/index.js';
