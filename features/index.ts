export { FEATURES, FEATURE_COUNT, FEATURE_INDEX, FEATURE_NAMES, FEATURE_SPEC_HASH, FEATURE_SPEC_VERSION, featureSpec, type FeatureDef, type FeatureSource, type FeatureSpecDocument } from './spec.js';
export { FRAMEWORK_CODES, frameworkCode } from './frameworks.js';
export { rooflineGpuSeconds, type RooflineInput } from './roofline.js';
export { TenantHistory, EMPTY_HISTORY, type HistorySnapshot } from './history.js';
export { resolveContext, type FeatureContext } from './context.js';
export { buildFeatures } from './build.js';
export { createFeatureBuilder, type FeatureBuilder, type FeatureBuilderOptions } from './builder.js';
export { contextWindowFor, infeasibleReason, memoryReason } from './feasibility.js';
