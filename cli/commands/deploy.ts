import { memoryReason } from '../../features/index.js';
import { builtinCatalog } from '../../pricing/index.js';
import { call, endpointOf, ENDPOINT_FLAGS, ENDPOINT_HELP, events } from '../api-client.js';
import { parse, UsageError, type Command, type Io } from '../command.js';
import { describeDeployment, parseDuration, type DeploymentView } from '../deployments.js';
import { duration, table, usd } from '../format.js';

const usage = `usage: lutflow deploy --model MODEL (--budget USD | --max-duration D) [options] [-- SERVER COMMAND...]

Starts a model server under a budget: the server runs the pre-flight first (the price in force, what
the budget holds, how long it lasts, and with a workload the model's P90 for it), refuses a deployment
that does not fit with cheaper alternatives (exit 1, nothing started), else holds the budget, starts
the server, meters its GPU time and stops it when the budget or the max duration is reached.

  --model M          Hugging Face id or catalog name (TinyLlama/TinyLlama-1.1B-Chat-v1.0)
  --budget USD       the deployment's own budget (its scope counts against the tenant's)
  --max-duration D   stop after D (90s, 15m, 2h, 1d)
  --gpu TYPE         GPU type (default: the cheapest that holds the model's weights)
  --gpus N           GPU count (default 1)
  --tenant T         the tenant whose budgets hold it (LUTFLOW_TENANT; default 'default')
  --runtime R        local (default) or kubernetes
  --strategy S       at the budget: kill (default), scale_to_zero, warn
  --framework F      vllm (default), tgi, llama.cpp, sglang, tensorrt-llm, other
  --requests N --batch N --prompt-tokens N --max-output-tokens N
                     the workload it will serve: the model predicts its cost, and a P90 over the budget is refused
  --image I --namespace NS --node-selector K=V   kubernetes runtime
  --wait             follow it until it ends, printing each state change and the spend
  --json             print the server's answer as JSON
${ENDPOINT_HELP}

After --, the server command (admin keys only; {model} and {port} are filled in). Default: the server's
(vllm serve MODEL --port PORT).`;

/** The cheapest GPU type (on-demand, the catalog's prices) whose `count` hold the model's weights. */
function defaultGpu(model: string, count: number): string {
  const catalog = builtinCatalog();
  if (!catalog.models.find(model)) throw new UsageError(`--gpu is needed: '${model}' is not in the catalog, so its size is unknown`);
  let best: { id: string; micros: number } | undefined;
  for (const g of catalog.gpus.entries) {
    const plan = { kind: 'self_hosted', model, gpu_type: g.id, gpu_count: count, framework: 'vllm', batch_size: 1, requests: 1, prompt_tokens: 1, max_output_tokens: 1 } as const;
    if (memoryReason(plan, catalog)) continue;
    const micros = catalog.gpuPrices.all(g.id).reduce((m, p) => Math.min(m, p.onDemandMicrosPerHour), Infinity);
    if (micros < (best?.micros ?? Infinity)) best = { id: g.id, micros };
  }
  if (!best) throw new UsageError(`no GPU type holds ${model} on ${count} GPU(s): raise --gpus`);
  return best.id;
}

function int(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${flag}: expected a whole number, got '${v}'`);
  return n;
}

function printDenied(body: { reason: string; prediction: { usd_per_hour: number; hold_usd: number; p90_usd?: number }; alternatives: { change: string; usd_per_hour: number; p90_usd?: number; lasts_s?: number }[] }, io: Io): void {
  io.out(`decision: deny — ${body.reason}`);
  io.out(`predicted: ${usd(body.prediction.usd_per_hour)}/hour, holds ${usd(body.prediction.hold_usd, 6)}${body.prediction.p90_usd !== undefined ? `, workload P90 ${usd(body.prediction.p90_usd)}` : ''}`);
  if (!body.alternatives.length) { io.out('no cheaper configuration fits'); return; }
  io.out('configurations that fit:');
  io.out(table(['CHANGE', 'RATE', 'P90', 'LASTS'], body.alternatives.map((a) => [
    a.change, `${usd(a.usd_per_hour)}/h`, a.p90_usd === undefined ? '-' : usd(a.p90_usd), a.lasts_s === undefined ? '-' : duration(a.lasts_s * 1000),
  ])));
}

const command: Command = {
  summary: 'start a model server under a budget (pre-flight first)',
  usage,
  async run(argv, io) {
    const dash = argv.indexOf('--');
    const serverCommand = dash >= 0 ? argv.slice(dash + 1) : undefined;
    const { values, positionals } = parse(dash >= 0 ? argv.slice(0, dash) : argv, {
      ...ENDPOINT_FLAGS, model: { type: 'string' }, budget: { type: 'string' }, 'max-duration': { type: 'string' }, gpu: { type: 'string' },
      gpus: { type: 'string' }, tenant: { type: 'string' }, runtime: { type: 'string' }, strategy: { type: 'string' }, framework: { type: 'string' },
      requests: { type: 'string' }, batch: { type: 'string' }, 'prompt-tokens': { type: 'string' }, 'max-output-tokens': { type: 'string' },
      image: { type: 'string' }, namespace: { type: 'string' }, 'node-selector': { type: 'string', multiple: true }, wait: { type: 'boolean' }, json: { type: 'boolean' },
    });
    if (positionals.length) throw new UsageError(`unexpected '${positionals[0]}' (a server command goes after --)`);
    if (!values.model) throw new UsageError('--model is required');
    if (values.budget === undefined && values['max-duration'] === undefined) throw new UsageError('--budget or --max-duration is required: something must stop it');
    const budget = values.budget === undefined ? undefined : Number(values.budget);
    if (budget !== undefined && !(budget > 0)) throw new UsageError(`--budget: expected a positive amount in USD, got '${values.budget}'`);
    let maxMs: number | undefined;
    try { maxMs = values['max-duration'] === undefined ? undefined : parseDuration(values['max-duration'], 'max-duration'); } catch (err) { throw new UsageError((err as Error).message); }
    const gpus = int(values.gpus, 'gpus') ?? 1;
    const w = [values.requests, values.batch, values['prompt-tokens'], values['max-output-tokens']];
    if (w.some((x) => x !== undefined) && w.some((x) => x === undefined)) throw new UsageError('a workload needs all of --requests, --batch, --prompt-tokens and --max-output-tokens');
    const selector = Object.fromEntries(((values['node-selector'] as string[] | undefined) ?? []).map((kv) => {
      const i = kv.indexOf('=');
      if (i <= 0) throw new UsageError(`--node-selector: expected KEY=VALUE, got '${kv}'`);
      return [kv.slice(0, i), kv.slice(i + 1)];
    }));
    const ep = endpointOf(values);
    const body = {
      tenant_id: values.tenant ?? process.env.LUTFLOW_TENANT ?? 'default', model: values.model, gpu_type: values.gpu ?? defaultGpu(values.model, gpus), gpu_count: gpus,
      ...(values.runtime ? { runtime: values.runtime } : {}), ...(values.strategy ? { strategy: values.strategy } : {}), ...(values.framework ? { framework: values.framework } : {}),
      ...(budget !== undefined ? { budget_usd: budget } : {}), ...(maxMs !== undefined ? { max_duration_s: maxMs / 1000 } : {}),
      ...(values.requests ? { workload: { requests: int(values.requests, 'requests'), batch_size: int(values.batch, 'batch'), prompt_tokens: int(values['prompt-tokens'], 'prompt-tokens'), max_output_tokens: int(values['max-output-tokens'], 'max-output-tokens') } } : {}),
      ...(serverCommand?.length ? { command: serverCommand } : {}), ...(values.image ? { image: values.image } : {}), ...(values.namespace ? { namespace: values.namespace } : {}),
      ...(Object.keys(selector).length ? { node_selector: selector } : {}),
    };
    const r = await call<{ deployment: DeploymentView; reason: string; prediction: never; alternatives: never[] }>(ep, 'POST', '/deployments', body, { accept: [409] });
    if (values.json) io.out(JSON.stringify(r.body, null, 2));
    if (r.status === 409) {
      if (!values.json) printDenied(r.body, io);
      throw Object.assign(new Error('the deployment was refused: nothing was started'), { code: 'DEPLOYMENT_DENIED' });
    }
    const d = r.body.deployment;
    if (d.state === 'failed') {
      if (!values.json) io.out(describeDeployment(d));
      throw Object.assign(new Error(`the server did not start: ${d.message}`), { code: 'START_FAILED' });
    }
    if (!values.json) {
      const p = d.prediction;
      io.out(`pre-flight: ${d.gpu_count} x ${d.gpu_type} at ${usd(p.gpu_usd_per_hour)}/GPU-hour = ${usd(p.usd_per_hour)}/hour (${p.prices.source}${p.prices.as_of ? `, as of ${p.prices.as_of}` : ''})`);
      io.out(`predicted: holds ${usd(p.hold_usd, 6)} (${p.basis}), lasting ${duration(p.lasts_s * 1000)}${p.p90_usd !== undefined ? `; workload P50 ${usd(p.p50_usd)}, P90 ${usd(p.p90_usd)}` : ''}`);
      io.out('decision: allow');
      io.out(`deployment ${d.id} ${d.state} (${d.runtime}); follow it: lutflow watch, lutflow status ${d.id}`);
    }
    if (values.wait) await follow(ep, d.id, io);
  },
};

/** Prints each state change of one deployment until it ends, then its description. */
async function follow(ep: ReturnType<typeof endpointOf>, id: string, io: Io): Promise<void> {
  const abort = new AbortController();
  let last = '';
  for await (const e of events(ep, `/deployments/events?deployment_id=${encodeURIComponent(id)}`, abort.signal)) {
    const d = e.event === 'snapshot' ? (e.data as { deployments: DeploymentView[] }).deployments[0] : (e.data as { deployment?: DeploymentView }).deployment;
    if (!d || d.id !== id) continue;
    if (d.state !== last) {
      last = d.state;
      io.err(`${new Date().toISOString()} ${d.id} ${d.state}${d.reason ? ` (${d.reason})` : ''} spent ${usd(d.spent_usd, 6)}`);
    }
    if (d.settled && ['stopped', 'killed', 'failed'].includes(d.state)) {
      io.out(describeDeployment(d));
      abort.abort();
    }
  }
}
export default command;
