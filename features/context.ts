import { PRECISION_BITS, type Catalog, type GpuSpec, type ModelSpec, microsToUsd } from '../pricing/index.js';
import type { RunRecord } from '../stream/index.js';
import { EMPTY_HISTORY, type HistorySnapshot } from './history.js';
import { requireModel, resolveModel } from './open-model.js';

/** Everything a run's features need beyond the record itself, resolved once from the catalog. */
export interface FeatureContext {
  readonly model?: ModelSpec;
  readonly gpu?: GpuSpec;
  /** NaN when neither the plan nor the catalog says. */
  readonly precisionBits: number;
  readonly gpuUsdPerHour: number;
  readonly inputUsdPerMtok: number;
  readonly outputUsdPerMtok: number;
  readonly history: HistorySnapshot;
}

/**
 * Resolves catalog facts and prices for a record. Prices recorded at launch (`context.prices`) win over
 * the catalog, so training sees what the launcher saw. An open model comes from the plan's own description
 * when it has one, else from the catalog. An unknown GPU, or an unknown, undescribed model without recorded
 * prices, throws a PricingError naming the field.
 */
export function resolveContext(r: RunRecord, catalog: Catalog, history: HistorySnapshot = EMPTY_HISTORY): FeatureContext {
  const p = r.plan;
  const recorded = r.context?.prices;
  const model = resolveModel(p, catalog);
  const precision = p.precision ?? model?.defaultPrecision;
  const precisionBits = precision ? PRECISION_BITS[precision] : NaN;
  if (p.kind === 'self_hosted') {
    const gpu = catalog.gpus.get(p.gpu_type ?? '', '/plan/gpu_type');
    if (!model && recorded?.gpu_usd_per_hour === undefined) requireModel(p, catalog);
    const gpuUsdPerHour = recorded?.gpu_usd_per_hour ?? microsToUsd(catalog.gpuPrices.quote(gpu.id, { provider: p.provider, region: p.region, spot: p.spot }).microsPerGpuHour);
    return { model, gpu, precisionBits, gpuUsdPerHour, inputUsdPerMtok: NaN, outputUsdPerMtok: NaN, history };
  }
  let inputUsdPerMtok = recorded?.input_usd_per_mtok;
  let outputUsdPerMtok = recorded?.output_usd_per_mtok;
  if (inputUsdPerMtok === undefined || outputUsdPerMtok === undefined) {
    const price = catalog.tokenPrices.get(p.model, '/plan/model');
    inputUsdPerMtok ??= microsToUsd(price.input);
    outputUsdPerMtok ??= microsToUsd(price.output);
  }
  return { model, gpu: undefined, precisionBits, gpuUsdPerHour: NaN, inputUsdPerMtok, outputUsdPerMtok, history };
}
