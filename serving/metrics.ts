/** A small Prometheus registry: counters and histograms with labels, rendered in the text format 0.0.4. */
type Labels = Record<string, string>;

const render = (l: Labels) => Object.entries(l).sort().map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',');
const rendered = new Map<string, string>();

/** The label set in Prometheus form, memoised: the same few label sets recur on every request. */
function key(l: Labels): string {
  let id = '';
  for (const k in l) id += `${k}\u0000${l[k]}\u0001`;
  let r = rendered.get(id);
  if (r === undefined) {
    r = render(l);
    if (rendered.size < 10_000) rendered.set(id, r);
  }
  return r;
}

export class Counter {
  private readonly values = new Map<string, number>();
  constructor(readonly name: string, readonly help: string) {}
  inc(labels: Labels = {}, by = 1): void {
    this.incKey(key(labels), by);
  }
  /** With the label set already rendered (hot paths render it once). */
  incKey(k: string, by = 1): void {
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(key(labels)) ?? 0;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [k, v] of this.values) lines.push(`${this.name}${k ? `{${k}}` : ''} ${v}`);
    return lines.join('\n');
  }
}

export class Gauge {
  private readonly values = new Map<string, number>();
  constructor(readonly name: string, readonly help: string) {}
  set(labels: Labels, v: number): void {
    this.values.clear();
    this.values.set(key(labels), v);
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`];
    for (const [k, v] of this.values) lines.push(`${this.name}${k ? `{${k}}` : ''} ${v}`);
    return lines.join('\n');
  }
}

export class Histogram {
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string, readonly buckets: readonly number[]) {}
  observe(labels: Labels, v: number): void {
    this.observeKey(key(labels), v);
  }
  observeKey(k: string, v: number): void {
    let s = this.series.get(k);
    if (!s) this.series.set(k, (s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    // Counts are per bucket here and made cumulative when rendered.
    let i = 0;
    while (i < this.buckets.length && v > this.buckets[i]) i++;
    if (i < this.buckets.length) s.counts[i]++;
    s.sum += v;
    s.count++;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [k, s] of this.series) {
      const sep = k ? `${k},` : '';
      let cumulative = 0;
      this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket{${sep}le="${b}"} ${(cumulative += s.counts[i])}`));
      lines.push(`${this.name}_bucket{${sep}le="+Inf"} ${s.count}`, `${this.name}_sum${k ? `{${k}}` : ''} ${s.sum}`, `${this.name}_count${k ? `{${k}}` : ''} ${s.count}`);
    }
    return lines.join('\n');
  }
}

/**
 * Per-request metrics without building a label set per request: each (method, route) keeps its rendered keys, the
 * request counter's by status code.
 */
export function requestMeter(requests: Counter, latency: Histogram) {
  const byMethod = new Map<string, Map<string, { route: string; statuses: Map<number, string>; latencyKey: string }>>();
  return (method: string, route: string, status: number, seconds: number) => {
    let byRoute = byMethod.get(method);
    if (!byRoute) byMethod.set(method, (byRoute = new Map()));
    let h = byRoute.get(route);
    if (!h) byRoute.set(route, (h = { route, statuses: new Map(), latencyKey: key({ route }) }));
    let k = h.statuses.get(status);
    if (k === undefined) h.statuses.set(status, (k = key({ route, method, status: String(status) })));
    requests.incKey(k);
    latency.observeKey(h.latencyKey, seconds);
  };
}

/** `inc(a, b)` for a counter with two labels, each pair's label set rendered once. */
export function pairCounter(counter: Counter, first: string, second: string): (a: string, b: string) => void {
  const keys = new Map<string, Map<string, string>>();
  return (a, b) => {
    let inner = keys.get(a);
    if (!inner) keys.set(a, (inner = new Map()));
    let k = inner.get(b);
    if (k === undefined) inner.set(b, (k = key({ [first]: a, [second]: b })));
    counter.incKey(k);
  };
}

/** The serving metrics; one name per concept, as in the logs: requests, predictions, budget decisions, model. */
export function createMetrics() {
  const m = {
    requests: new Counter('lutflow_http_requests_total', 'HTTP requests by route, method and status'),
    latency: new Histogram('lutflow_http_request_duration_seconds', 'HTTP request latency by route', [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]),
    predictions: new Counter('lutflow_predictions_total', 'predictions by quantity (gpu_seconds, output_tokens) and outcome'),
    decisions: new Counter('lutflow_budget_decisions_total', 'pre-flight decisions by decision (allow, deny)'),
    telemetry: new Counter('lutflow_telemetry_events_total', 'telemetry events reported by SDK clients, by outcome'),
    budgetAlerts: new Counter('lutflow_budget_alerts_total', 'budgets that crossed their soft alert threshold'),
    ledgerUnavailable: new Counter('lutflow_ledger_unavailable_total', 'requests answered 503 because the budget ledger could not write'),
    modelInfo: new Gauge('lutflow_model_info', 'the model being served (value 1)'),
    modelReloads: new Counter('lutflow_model_reloads_total', 'model reloads by result (ok, refused)'),
  };
  return { ...m, render: () => Object.values(m).map((x) => x.render()).join('\n') + '\n' };
}

export type Metrics = ReturnType<typeof createMetrics>;
