export { VersionRegistry, RegistryError, type HistoryEntry, type VersionInfo, type RegistryAction } from './registry.js';
export { DEFAULT_TOLERANCES, judge, type Tolerances, type Verdict, type KindVerdict } from './gate.js';
export { pullRuns, type PulledRuns } from './mirror.js';
export { retrain, holdoutStart, DEFAULT_HOLDOUT, DEFAULT_KEEP, type RetrainOptions } from './retrain.js';
export { writeMetrics, writeReport, summaryLine, type RetrainReport, type Decision } from './report.js';
export { scheduleRetrain, parseCron, type RetrainSchedule, type ScheduleOptions } from './schedule.js';
