import { readFileSync } from 'node:fs';
import { builtinCatalog } from '../../pricing/index.js';
import { appendRunRecords, importAzureTrace, importLlmInferenceBench, summarise, type ImportResult } from '../../training/index.js';
import { intFlag, parse, required, UsageError, type Command } from '../command.js';

const usage = `usage:
  lutflow import llm-inference-bench FILE --out TABLE [--tenant T]
  lutflow import azure-trace FILE --model MODEL --requests-per-run N --out TABLE [--max-output-tokens N] [--tenant T]

Turns public history into lut.pcpo-features run records with outcomes and appends them to the
Delta table TABLE (created if missing). Prints one JSON summary: rows taken, rows rejected, and
each rejection reason with its count and first line. Nothing is dropped without a reason.
  llm-inference-bench  LLM-Inference-Bench All_results.csv: one row = one batch run;
                       GPU-seconds = Latency x Num of Hardware
  azure-trace          Azure LLM inference trace (TIMESTAMP, ContextTokens, GeneratedTokens):
                       N consecutive requests = one API run of MODEL`;

function readInput(file: string | undefined): { file: string; text: string } {
  if (!file) throw new UsageError('FILE is required');
  try {
    return { file, text: readFileSync(file, 'utf8') };
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
}

const command: Command = {
  summary: 'import public history',
  usage,
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      out: { type: 'string' }, model: { type: 'string' }, 'requests-per-run': { type: 'string' }, 'max-output-tokens': { type: 'string' }, tenant: { type: 'string' },
    });
    const [kind, path] = positionals;
    const out = required(values.out, 'out');
    const catalog = builtinCatalog();
    let result: ImportResult;
    if (kind === 'llm-inference-bench') {
      const { file, text } = readInput(path);
      result = importLlmInferenceBench(text, { catalog, tenantId: values.tenant, source: file });
    } else if (kind === 'azure-trace') {
      const model = required(values.model, 'model');
      const requestsPerRun = intFlag(values['requests-per-run'], 'requests-per-run');
      const maxOutputTokens = values['max-output-tokens'] === undefined ? undefined : intFlag(values['max-output-tokens'], 'max-output-tokens');
      const { file, text } = readInput(path);
      result = importAzureTrace(text, { catalog, model, requestsPerRun, maxOutputTokens, tenantId: values.tenant, source: file });
    } else {
      throw new UsageError(kind ? `unknown source '${kind}'` : 'a source is required: llm-inference-bench or azure-trace');
    }
    const summary = summarise(result);
    const written = result.records.length ? await appendRunRecords(out, result.records, { operation: `IMPORT ${kind}` }) : undefined;
    io.out(JSON.stringify({ source: kind, file: path, table: out, version: written?.version ?? null, ...summary }, null, 2));
  },
};
export default command;
