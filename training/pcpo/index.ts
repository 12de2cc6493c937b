export { trainPcpo, DEFAULT_PARAMS, TARGET_PARAMS, QUANTILES, MIN_ROWS, type TrainOptions, type TrainResult } from './train.js';
export { evaluateModel, type EvalReport, type KindReport } from './evaluate.js';
export { splitRows, configurationKey, type Split, type SplitMode, type SplitOptions } from './split.js';
export { accuracy, intervalAccuracy, conformalQuantile, type AccuracyMetrics, type IntervalMetrics } from './metrics.js';
export { TrainingError, type TrainingErrorCode } from './errors.js';
