export { ModelError, type ModelErrorCode } from './errors.js';
export { parseXGBoostModel, parseBaseScore, type ParsedModel, type Link, type XGBoostModelJson } from './xgboost-json.js';
export { TreeEnsemble } from './ensemble.js';
export { ensembleFromJson, loadEnsemble } from './load.js';
export { TARGETS, targetFor, toTransformed, fromTransformed, type TargetDef, type BaselineParams } from './targets.js';
export { DEFAULT_EFFICIENCY, acceleratorKey, calibratedGpuSeconds, calibrationKey, deploymentKey, expectedOutputTokens, paramsFor, physicsRow, promptBucket, type EfficiencyParams, type OutputPrior, type PhysicsCalibration, type PhysicsRow, type PriorEntry } from './baselines.js';
export { readCard, CARD_FILE, CARD_FORMAT, CARD_FORMAT_VERSION, type CvMetrics, type ModelCard, type PullInfo, type TargetCard } from './card.js';
export { PcpoModel, loadPcpoModel, maskHardware, type QuantityPrediction, type CostPrediction, type PredictionHint } from './pcpo.js';
export { predictRun, type RunPrediction } from './predict-run.js';
