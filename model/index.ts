export { ModelError, type ModelErrorCode } from './errors.js';
export { parseXGBoostModel, parseBaseScore, type ParsedModel, type Link, type XGBoostModelJson } from './xgboost-json.js';
export { TreeEnsemble } from './ensemble.js';
export { ensembleFromJson, loadEnsemble } from './load.js';
export { TARGETS, targetFor, toTransformed, fromTransformed, type TargetDef } from './targets.js';
export { readCard, CARD_FILE, CARD_FORMAT, CARD_FORMAT_VERSION, type ModelCard, type TargetCard } from './card.js';
export { PcpoModel, loadPcpoModel, type QuantityPrediction, type CostPrediction } from './pcpo.js';
export { predictRun, type RunPrediction } from './predict-run.js';
