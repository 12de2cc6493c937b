import type { ModelDescription } from '../../../api/types.js';
import { DataTable } from '../../../components/DataTable.js';
import { count, number, percent } from '../../../components/format.js';

type Target = NonNullable<ModelDescription['model']>['targets'][string];

const QUANTITY: Record<string, string> = { gpu_seconds: 'GPU-seconds (self-hosted runs)', output_tokens: 'output tokens (API runs)' };

/** The card's cross-validated accuracy: every run predicted by a model that never saw it. */
export function CardTable({ model }: { model: NonNullable<ModelDescription['model']> }) {
  const rows = Object.entries(model.targets).map(([name, t]) => ({ name, ...t } as Target & { name: string }));
  return (
    <DataTable caption="Cross-validated accuracy from the model card" name="model-card" rows={rows} rowKey={(r) => r.name} columns={[
      { header: 'predicts', value: (r) => r.name, render: (r) => QUANTITY[r.name] ?? r.name },
      { header: 'runs learned from', value: (r) => r.rows.train, render: (r) => count(r.rows.train), numeric: true },
      { header: 'validation', value: (r) => `${r.cv.folds}-fold ${r.cv.scheme}` },
      { header: 'median error', value: (r) => r.cv.metrics.median_ape, render: (r) => percent(r.cv.metrics.median_ape), numeric: true },
      { header: 'mean error', value: (r) => r.cv.metrics.mape, render: (r) => percent(r.cv.metrics.mape), numeric: true },
      { header: 'P90 coverage', value: (r) => r.cv.metrics.p90_coverage, render: (r) => percent(r.cv.metrics.p90_coverage), numeric: true },
      { header: 'P90 / actual (median)', value: (r) => r.cv.metrics.p90_reserve_ratio, render: (r) => number(r.cv.metrics.p90_reserve_ratio), numeric: true },
    ]} />
  );
}
