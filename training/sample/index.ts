export { generateSample, type Sample, type SampleOptions } from './generate.js';
export { fitEfficiency, type EfficiencyFit } from './calibrate.js';
export { EFFICIENCY, AZURE_OUTPUT, AZURE_PROMPT, type LogNormal } from './calibration.js';
export { SAMPLE_TENANTS, type TenantProfile } from './tenants.js';
