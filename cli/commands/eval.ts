import { createFeatureBuilder } from '../../features/index.js';
import { loadPcpoModel } from '../../model/index.js';
import { builtinCatalog } from '../../pricing/index.js';
import { evaluateModel, loadRuns } from '../../training/index.js';
import { intFlag, parse, required, type Command } from '../command.js';

const command: Command = {
  summary: 'evaluate a model',
  usage: `usage: lutflow eval --model DIR --data TABLE_OR_CSV [--api-model M] [--requests-per-run N]

Prints one JSON object: rows, MAPE, median absolute percentage error, P90 coverage and the median
P90 / actual reserve ratio, split by run kind, next to baselines on the same rows: the roofline alone
(self-hosted), the worst-case bound a max-tokens reservation holds (API), and the tenant-history mean.
Self-hosted results also list each GPU x engine group's median error, worst first.
A CSV in the LLM-Inference-Bench or Azure-trace format is imported on the fly
(Azure: priced as --api-model, default gpt-4o-mini, --requests-per-run requests per run, default 50).`,
  async run(argv, io) {
    const { values } = parse(argv, { model: { type: 'string' }, data: { type: 'string' }, 'api-model': { type: 'string' }, 'requests-per-run': { type: 'string' } });
    const model = loadPcpoModel(required(values.model, 'model'));
    const catalog = builtinCatalog();
    const data = await loadRuns(required(values.data, 'data'), { catalog, apiModel: values['api-model'], requestsPerRun: values['requests-per-run'] ? intFlag(values['requests-per-run'], 'requests-per-run') : undefined });
    const matrix = createFeatureBuilder({ catalog }).replay(data.records);
    io.out(JSON.stringify({ data: data.source, imported: data.imported, ...evaluateModel(model, data.records, matrix) }, null, 2));
  },
};
export default command;
