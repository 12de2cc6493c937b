export { FEATURES, FEATURE_COUNT, FEATURE_INDEX, FEATURE_NAMES, FEATURE_SPEC_HASH, FEATURE_SPEC_VERSION, featureSpec, type FeatureDef, type FeatureSource, type FeatureSpecDocument } from './spec.js';
export { FRAMEWORK_CODES, frameworkCode, isLayerSplit, VENDOR_CODES } from './frameworks.js';
export { physicsTerms, rooflineFromTerms, rooflineGpuSeconds, type PhysicsTerms, type RooflineInput } from './physics.js';
export { resolveModel, requireModel } from './open-model.js';
export { TenantHistory, EMPTY_HISTORY, RECENT_RUNS, type HistorySnapshot } from './history.js';
export { resolveContext, type FeatureContext } from './context.js';
export { buildFeatures } from './build.js';
export { createFeatureBuilder, type FeatureBuilder, type FeatureBuilderOptions } from './builder.js';
export { contextWindowFor, infeasibleReason, memoryReason } from './feasibility.js';
