import type { Command } from '../command.js';

/** Every command, loaded when used. */
export const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  start: { summary: 'the main job: sample data and a model if missing, then serve on 127.0.0.1:8080', load: async () => (await import('./start.js')).default },
  serve: { summary: 'serve the prediction and budget API', load: async () => (await import('./serve.js')).default },
  sample: { summary: 'generate deterministic sample run records (Delta table) and telemetry', load: async () => (await import('./sample.js')).default },
  import: { summary: 'import public history (llm-inference-bench, azure-trace) as run records', load: async () => (await import('./import.js')).default },
  train: { summary: 'train the PCPO cost model (real XGBoost through its C API)', load: async () => (await import('./train.js')).default },
  retrain: { summary: 'one scheduled retrain: pull new runs, train a candidate, promote it only if not worse', load: async () => (await import('./retrain.js')).default },
  models: { summary: 'the model registry: list versions, promote one, roll back', load: async () => (await import('./models.js')).default },
  eval: { summary: 'evaluate a model against baselines on a table or CSV', load: async () => (await import('./eval.js')).default },
  predict: { summary: 'predict from run records or raw feature vectors, one JSON line each', load: async () => (await import('./predict.js')).default },
  features: { summary: 'print the feature spec, or build vectors for run records', load: async () => (await import('./features.js')).default },
  lookup: { summary: 'look up GPU specs and prices, model specs, token prices', load: async () => (await import('./lookup.js')).default },
  deploy: { summary: 'start a model server under a budget (pre-flight first)', load: async () => (await import('./deploy.js')).default },
  status: { summary: 'deployments: a table, or one deployment in full', load: async () => (await import('./status.js')).default },
  kill: { summary: 'stop a deployment now, with a reason', load: async () => (await import('./kill.js')).default },
  watch: { summary: 'live terminal dashboard: spend per tenant and deployment, burn-down, top spenders, alerts', load: async () => (await import('./watch.js')).default },
  report: { summary: 'a deployment\'s predicted against actual cost', load: async () => (await import('./report.js')).default },
  prices: { summary: 'refresh the LLM price database, or show what a model is charged at', load: async () => (await import('./prices.js')).default },
  windows: { summary: 'the cost-window job on Kafka (long-lived; JSON logs, Prometheus metrics)', load: async () => (await import('./windows.js')).default },
  flink: { summary: 'the cost windows on Apache Flink: the SQL job, submit through a SQL Gateway, status, stop', load: async () => (await import('./flink.js')).default },
  sink: { summary: 'the run-record sink: lut.pcpo-features into the Delta table (long-lived)', load: async () => (await import('./sink.js')).default },
  delta: { summary: 'inspect, checkpoint and compact a Delta table', load: async () => (await import('./delta.js')).default },
  schemas: { summary: 'write the stream contracts as JSON Schema files', load: async () => (await import('./schemas.js')).default },
};
