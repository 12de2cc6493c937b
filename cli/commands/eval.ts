import { resolve } from 'node:path';
import { createFeatureBuilder } from '../../features/index.js';
import { loadPcpoModel } from '../../model/index.js';
import { builtinCatalog } from '../../pricing/index.js';
import {
  evaluateModel,
  leaveOneGroupOut,
  loadAllRuns,
  type LeaveOneOutReport,
  type LeaveOut,
} from '../../training/index.js';
import { dataPaths, intFlag, parse, UsageError, type Command, type Io } from '../command.js';

const LEAVE_OUTS: readonly LeaveOut[] = ['accelerator', 'model'];

function printGroups(io: Io, r: LeaveOneOutReport): void {
  io.err(
    `\nleave-one-${r.leave_out}-out (${r.answered_by}; P90 offset ${r.p90_conformal_offset.toFixed(3)}, cross-conformal over all groups)`,
  );
  io.err(
    `  ${'group'.padEnd(22)} ${'runs'.padStart(5)} ${'median APE %'.padStart(13)} ${'MAPE %'.padStart(9)} ${'P90 cover %'.padStart(12)} ${'P90/actual'.padStart(11)}`,
  );
  for (const g of [...r.groups, { group: 'all', ...r }]) {
    io.err(
      `  ${g.group.padEnd(22)} ${String(g.rows).padStart(5)} ${String(g.median_ape).padStart(13)} ${String(g.mape).padStart(9)} ${String(g.p90_coverage).padStart(12)} ${String(g.p90_reserve_ratio).padStart(11)}`,
    );
  }
}

const command: Command = {
  summary: 'evaluate a model',
  usage: `usage: lutflow eval --data TABLE_OR_CSV [--data ...] [--model DIR] [--leave-out accelerator,model|none] [--rounds N]
                    [--api-model M] [--requests-per-run N]

Prints one JSON object on stdout (tables for people on stderr):
  model          with --model: MAPE, median absolute percentage error, P90 coverage and the median P90 /
                 actual reserve ratio of that model on the runs, split by run kind, next to baselines on the
                 same rows: the roofline alone (self-hosted), the worst-case bound a max-tokens reservation
                 holds (API), and the tenant-history mean; self-hosted also per GPU x engine group, worst first.
                 "in_sample" says when the runs are the ones the model learned from (then this is no test).
  leave_one_out  self-hosted runs, retrained per group: leave-one-accelerator-out (each accelerator predicted
                 by the hardware-blind model trained on all the others) and leave-one-model-out, every group
                 listed, worst first. Default: both; --leave-out none skips them (they train one model a group).
A CSV in the LLM-Inference-Bench or Azure-trace format is imported on the fly
(Azure: priced as --api-model, default gpt-4o-mini, --requests-per-run requests per run, default 50).`,
  async run(argv, io) {
    const { values } = parse(argv, {
      model: { type: 'string' },
      data: { type: 'string', multiple: true },
      'leave-out': { type: 'string' },
      rounds: { type: 'string' },
      'api-model': { type: 'string' },
      'requests-per-run': { type: 'string' },
    });
    const asked = (values['leave-out'] ?? LEAVE_OUTS.join(','))
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const leaveOut = asked.includes('none') ? [] : asked;
    for (const l of leaveOut)
      if (!LEAVE_OUTS.includes(l as LeaveOut))
        throw new UsageError(`--leave-out: expected accelerator, model or none, got '${l}'`);
    const model = values.model ? loadPcpoModel(values.model) : undefined;
    const catalog = builtinCatalog();
    const data = await loadAllRuns(dataPaths(values.data), {
      catalog,
      apiModel: values['api-model'],
      requestsPerRun: values['requests-per-run'] ? intFlag(values['requests-per-run'], 'requests-per-run') : undefined,
    });
    const matrix = createFeatureBuilder({ catalog }).replay(data.records);
    const out: Record<string, unknown> = {
      data: data.source,
      imported: data.parts.length === 1 ? data.imported : data.parts.map((p) => p.imported ?? null),
    };
    if (model) {
      const inSample = resolve(model.card.data.source) === resolve(data.source);
      out.model = { ...evaluateModel(model, data.records, matrix), in_sample: inSample };
      if (inSample)
        io.err(
          `note: ${data.source} is what ${model.version} learned from; these figures are not a test (see its card's cross-validation, or the leave-one-out below)`,
        );
    }
    const params = model?.card.targets.gpu_seconds?.params;
    const looOpts = { params, rounds: values.rounds ? intFlag(values.rounds, 'rounds') : undefined };
    const loo: Record<string, LeaveOneOutReport | null> = {};
    for (const by of leaveOut as LeaveOut[]) {
      const r = leaveOneGroupOut(data.records, matrix, catalog, by, looOpts, (l) => io.err(l));
      loo[by] = r ?? null;
      if (r) printGroups(io, r);
      else io.err(`leave-one-${by}-out: fewer than two ${by}s among the self-hosted runs; nothing to hold out`);
    }
    if (leaveOut.length) out.leave_one_out = loo;
    // Compatible with scripts written for the single-model report: its fields stay at the top level.
    if (model)
      Object.assign(out, {
        rows: (out.model as { rows: number }).rows,
        model_version: model.version,
        by_kind: (out.model as { by_kind: unknown }).by_kind,
      });
    io.out(JSON.stringify(out, null, 2));
  },
};
export default command;
