export {
  trainPcpo,
  fitContext,
  DEFAULT_FOLDS,
  DEFAULT_PARAMS,
  TARGET_PARAMS,
  QUANTILES,
  MIN_ROWS,
  type CvReport,
  type TrainOptions,
  type TrainResult,
} from './train.js';
export {
  evaluateModel,
  leaveOneGroupOut,
  type EvalReport,
  type KindReport,
  type LeaveOneOutReport,
  type LeaveOut,
} from './evaluate.js';
export {
  chooseScheme,
  configurationKey,
  leaveOneOut,
  makeFolds,
  type Fold,
  type Scheme,
  type SplitMode,
} from './split.js';
export { crossValidate, fitModel, type FitContext, type FittedModel, type OutOfFold } from './fit.js';
export { fitPhysicsCalibration } from './physics-fit.js';
export { fitOutputPrior } from './prior.js';
export {
  accuracy,
  intervalAccuracy,
  conformalQuantile,
  type AccuracyMetrics,
  type IntervalMetrics,
} from './metrics.js';
export { TrainingError, type TrainingErrorCode } from './errors.js';
