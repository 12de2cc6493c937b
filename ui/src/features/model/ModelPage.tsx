import type { AccuracySummary, ModelAccuracyResponse } from '../../api/types.js';
import { Card, Failure, Kpi, Loading } from '../../components/Card.js';
import { DataTable } from '../../components/DataTable.js';
import { count, percent, usd, utc } from '../../components/format.js';
import { CardTable } from './components/CardTable.js';
import { CoverageChart } from './components/CoverageChart.js';
import { GroupChart } from './components/GroupChart.js';
import { MIN_RUNS } from './min-runs.js';
import { PredictedVsActualChart } from './components/PredictedVsActualChart.js';
import { useAccuracy, useModelCard } from './useModel.js';

const summary = (s: AccuracySummary) => (s.runs ? `${percent(s.median_ape)} median error, P90 covers ${percent(s.p90_coverage)} of ${count(s.runs)} runs` : 'no runs yet');

function basisNote(a: ModelAccuracyResponse) {
  return a.basis === 'out_of_sample'
    ? 'Runs the model never learned from (later runs of the table, and runs settled through pre-flight).'
    : 'Too few runs the model never saw yet: these figures include the runs it learned from, so they flatter it; the card\'s cross-validation above is the test.';
}

export function ModelPage({ tenant }: { tenant?: string }) {
  const card = useModelCard();
  const acc = useAccuracy(tenant);
  const m = card.data?.model;
  return (
    <>
      {card.error && <Failure error={card.error} what="the model" />}
      {!card.data && !card.error && <Loading what="the model" />}
      {card.data && !m && <p className="error" role="alert">No model is loaded{card.data.last_reload_error ? `: ${card.data.last_reload_error}` : ''}.</p>}
      {m && (
        <Card title="The model" wide note={<>Version <code>{m.version}</code>, trained {utc(m.created_at)} on {count(m.data.rows)} runs of <code>{m.data.source}</code> ({m.library.name} {m.library.version}, feature spec {m.feature_spec.version}).</>}>
          <CardTable model={m} />
        </Card>
      )}
      {acc.error && <Failure error={acc.error} what="accuracy" />}
      {acc.data && (
        <>
          <div className="kpis">
            <Kpi name="accuracy-out-of-sample" label="P90 coverage on runs it never saw" value={percent(acc.data.out_of_sample.p90_coverage)} detail={summary(acc.data.out_of_sample)} />
            <Kpi name="accuracy-in-sample" label="P90 coverage on runs it learned from" value={percent(acc.data.in_sample.p90_coverage)} detail={summary(acc.data.in_sample)} />
          </div>
          <Card title="Predicted against actual" wide note="Each dot a finished run: its predicted P50 cost against what it cost.">
            <PredictedVsActualChart points={acc.data.points} />
            <DataTable caption="Recent finished runs, predicted and actual" name="accuracy-runs" rows={acc.data.points} show={20} rowKey={(p) => `${p.source}-${p.run_id}`} columns={[
              { header: 'run', value: (p) => p.run_id },
              { header: 'tenant', value: (p) => p.tenant_id },
              { header: 'group', value: (p) => p.group },
              { header: 'ended', value: (p) => p.ended_at, render: (p) => utc(p.ended_at) },
              { header: 'P50 (USD)', value: (p) => p.predicted_p50_usd, render: (p) => usd(p.predicted_p50_usd), numeric: true },
              { header: 'P90 (USD)', value: (p) => p.predicted_p90_usd, render: (p) => usd(p.predicted_p90_usd), numeric: true },
              { header: 'actual (USD)', value: (p) => p.actual_usd, render: (p) => usd(p.actual_usd), numeric: true },
              { header: 'model learned from it', value: (p) => p.in_sample, render: (p) => (p.in_sample ? 'yes' : 'no') },
            ]} />
          </Card>
          <Card title="P90 coverage over time" note={<>{basisNote(acc.data)} Days with fewer than {MIN_RUNS} finished runs are left out.</>}>
            <CoverageChart days={acc.data.by_day} />
          </Card>
          <Card title="Accuracy by hardware and engine" note={<>{basisNote(acc.data)} The chart shows groups of {MIN_RUNS} runs or more; the table has them all.</>}>
            <GroupChart groups={acc.data.by_group} />
            <DataTable caption="Accuracy by hardware x engine" name="accuracy-by-group" rows={acc.data.by_group} rowKey={(g) => g.group} columns={[
              { header: 'group', value: (g) => g.group },
              { header: 'runs', value: (g) => g.runs, numeric: true },
              { header: 'median error', value: (g) => g.median_ape, render: (g) => percent(g.median_ape), numeric: true },
              { header: 'P90 coverage', value: (g) => g.p90_coverage, render: (g) => percent(g.p90_coverage), numeric: true },
            ]} />
          </Card>
        </>
      )}
    </>
  );
}
