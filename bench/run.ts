/** `npm run bench`: every scenario, printed as Markdown tables for BENCHMARKS.md. */
const scenarios: Record<string, () => Promise<{ run: () => void | Promise<void> }>> = {
  features: () => import('./features/builder.bench.js'),
  model: () => import('./model/predictor.bench.js'),
  accuracy: () => import('./model/accuracy.bench.js'),
  training: () => import('./training/xgboost.bench.js'),
  'training-sources': () => import('./training/sources.bench.js'),
  serving: () => import('./serving/predict.bench.js'),
  'ledger-stores': () => import('./serving/ledger-stores.bench.js'),
  sdk: () => import('./sdk/overhead.bench.js'),
  'sdk-leases': () => import('./sdk/leases.bench.js'),
  'sdk-overshoot': () => import('./sdk/overshoot.bench.js'),
  'sdk-kill': () => import('./sdk/kill.bench.js'),
  'sdk-bounds': () => import('./sdk/bounds.bench.js'),
  'sdk-prices': () => import('./sdk/prices.bench.js'),
  stream: () => import('./stream/kafka.bench.js'),
  'stream-faults': () => import('./stream/exactly-once.bench.js'),
  'stream-delta': () => import('./stream/delta.bench.js'),
  'stream-flink': () => import('./stream/flink.bench.js'),
  ui: () => import('./ui/dashboard.bench.js'),
  deployments: () => import('./deployments/kill.bench.js'),
  'deployments-watch': () => import('./deployments/watch.bench.js'),
  'deployments-prices': () => import('./deployments/prices.bench.js'),
};

const only = process.argv[2];
console.log(`# lutflow benchmarks — ${new Date().toISOString()} — node ${process.version}`);
for (const [name, load] of Object.entries(scenarios)) {
  if (only && only !== name) continue;
  await (await load()).run();
}
