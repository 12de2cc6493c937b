import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka, createKafkaTransport, runKafkaCostWindows, TOPICS, type CostWindow, type CostWindowJob, type TelemetryEvent } from '../../stream/index.js';
import { modelServerCommand, until } from '../deployments/helpers.js';
import { tempDir } from '../helpers/index.js';
import { readTopic } from '../helpers/kafka.js';
import { brokerScript, freeBrokerPort } from '../setup/kafka.js';
import { ADMIN, modelDir } from '../serving/fixtures.js';
import { killAll, spawnServe } from '../serving/serve-process.js';

/**
 * `lutflow serve --brokers`: what the server charges goes out on lut.telemetry, the window job (ours here; the
 * Flink job writes the same records, test/flink/) windows it onto lut.cost-windows, and the dashboard's /spend
 * and the deployments' event stream (what `lutflow watch` draws) show exactly those records.
 */
const T = `sw-${randomUUID().slice(0, 8)}`;
const H = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
let base = '';
let server: ChildProcess;
let job: CostWindowJob;
let port = 0;
/**
 * A broker of its own: the window job reads all of lut.telemetry and republishes every tenant's windows, which
 * would interleave with the records other suites' jobs publish on the shared broker.
 */
const kafka = (clientId: string) => createKafka({ brokers: [`127.0.0.1:${port}`], clientId });

beforeAll(async () => {
  port = await freeBrokerPort();
  brokerScript('start', port, true);
  job = runKafkaCostWindows({ kafka: kafka('serve-windows'), groupId: `serve-windows-${T}`, outOfOrdernessMs: 1000, idleTimeoutMs: 1000, commitIntervalMs: 100 });
  ({ base, child: server } = await spawnServe(['--model', modelDir(), '--ledger', tempDir(), '--fsync', 'never', '--brokers', `127.0.0.1:${port}`], {
    LUTFLOW_API_KEYS: `${ADMIN}=*`, LUTFLOW_DEPLOY_TICK_MS: '300', LUTFLOW_DEPLOY_GRACE_MS: '1000',
  }));
  const r = await fetch(`${base}/budgets`, { method: 'POST', headers: H, body: JSON.stringify({ tenant_id: T, limit_usd: 100, window: 'total' }) });
  expect(r.status).toBe(201);
}, 120_000);
afterAll(async () => {
  killAll();
  await job?.stop();
  if (port) brokerScript('wipe', port);
});

type SpendWindow = { scope: string; key: string; window_start: string; spend_micros: number; calls: number; gpu_seconds: number; closed: boolean };
const spendOf = async (tenant: string): Promise<SpendWindow[]> => {
  const body = await (await fetch(`${base}/spend`, { headers: H })).json() as { tenants: { tenant_id: string; windows: SpendWindow[] }[] };
  return body.tenants.find((t) => t.tenant_id === tenant)?.windows ?? [];
};
const bySum = (ws: { window_start: string; spend: number }[]) => {
  const m = new Map<string, number>();
  for (const w of ws) m.set(w.window_start, (m.get(w.window_start) ?? 0) + w.spend);
  return m;
};
/** The latest record of each key on lut.cost-windows of a tenant's own scope. */
async function topicWindows(tenant: string, until: (ws: Map<string, CostWindow>) => boolean): Promise<Map<string, CostWindow>> {
  const latest = (msgs: { key?: string; value: string }[]) => {
    const m = new Map<string, CostWindow>();
    for (const r of msgs) {
      const w = JSON.parse(r.value) as CostWindow;
      if (r.key && w.scope === 'tenant' && w.tenant_id === tenant) m.set(r.key, w);
    }
    return m;
  };
  return latest(await readTopic(TOPICS.costWindows, (msgs) => until(latest(msgs)), 30_000, kafka('reader')));
}

/** The snapshot a server-sent event stream starts with. */
async function firstEvent(res: Response): Promise<{ windows: { tenant_id: string; window: CostWindow; closed: boolean }[] }> {
  const reader = res.body!.getReader();
  let text = '';
  while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
  await reader.cancel();
  return JSON.parse(/^event: snapshot\ndata: (.*)$/m.exec(text)![1]);
}

describe('serve --brokers: every consumer reads lut.cost-windows', () => {
  it('/spend shows the windows of the job, equal to the telemetry charged, each event once however often it was sent', async () => {
    const now = Date.now();
    // A record on lut.cost-windows that is not a window, under the key of the first window to come (so on its
    // partition, before it): skipped, and the reading goes on.
    const p = kafka('bad').producer();
    await p.connect();
    const firstKey = `tenant/${T}/${new Date(Math.floor((now - 35_000) / 10_000) * 10_000).toISOString()}`;
    await p.send({ topic: TOPICS.costWindows, messages: [{ key: firstKey, value: '{"not":"a window"}' }] });
    await p.disconnect();
    const events: TelemetryEvent[] = Array.from({ length: 14 }, (_, i) => ({
      schema_version: 1, event_id: `e${i}`, event_time: new Date(now - 35_000 + i * 2_500).toISOString(), tenant_id: i % 5 === 4 ? `${T}/proj` : T,
      provider: 'openai', model: 'gpt-4o', cost_usd_micros: 1_000 + i * 7_919, outcome: 'ok',
    }));
    const post = (batch: TelemetryEvent[]) => fetch(`${base}/telemetry`, { method: 'POST', headers: H, body: JSON.stringify({ events: batch }) });
    expect((await post(events)).status).toBe(200);
    // A batch sent again (a client that never saw the answer): the ledger and the windows count it once.
    expect(await (await post(events.slice(3, 8))).json()).toMatchObject({ duplicates: 5 });
    const truth = (scope: string) => bySum(events.filter((e) => e.tenant_id === scope)
      .map((e) => ({ window_start: new Date(Math.floor(Date.parse(e.event_time) / 10_000) * 10_000).toISOString(), spend: e.cost_usd_micros })));

    const shown = async (scope: string) => bySum((await spendOf(scope)).filter((w) => w.scope === 'tenant' && w.closed).map((w) => ({ window_start: w.window_start, spend: w.spend_micros })));
    for (const scope of [T, `${T}/proj`]) {
      await until(async () => { const s = await shown(scope); return s.size === truth(scope).size && [...truth(scope)].every(([k, v]) => s.get(k) === v); }, `${scope}'s windows on /spend`, 45_000);
    }
    // Only closed windows, and exactly the job's records (not windows the server made of its own).
    const windows = await spendOf(T);
    expect(windows.every((w) => w.closed)).toBe(true);
    const records = await topicWindows(T, (m) => m.size >= windows.length);
    expect(windows.map((w) => [w.window_start, w.spend_micros, w.calls]).sort())
      .toEqual([...records.values()].map((r) => [r.window_start, r.spend_usd_micros, r.calls]).sort());
    const ledger = await (await fetch(`${base}/budgets/${T}`, { headers: H })).json() as { spent_micros: number };
    expect(ledger.spent_micros).toBe(events.reduce((s, e) => s + e.cost_usd_micros, 0));
  }, 90_000);

  it('shows spend this server never saw: an SDK publishing to Kafka itself, a deployment another replica runs', async () => {
    const sdk = createKafkaTransport({ kafka: kafka('sdk') });
    const at = new Date(Date.now() - 5_000).toISOString();
    const base_ = { schema_version: 1, event_time: at, provider: 'self_hosted', model: 'tiny', outcome: 'ok' } as const;
    sdk.publish(TOPICS.telemetry, `${T}/sdk`, { ...base_, event_id: 's1', tenant_id: `${T}/sdk`, cost_usd_micros: 4_242 } satisfies TelemetryEvent);
    const other = `${T}/deployment:d-other`;
    sdk.publish(TOPICS.telemetry, other, { ...base_, event_id: 'o1', tenant_id: other, deployment_id: 'd-other', gpu: { type: 'H100-SXM', count: 1, seconds: 1 }, cost_usd_micros: 777 } satisfies TelemetryEvent);
    await sdk.flush();
    await sdk.close();
    await until(async () => (await spendOf(`${T}/sdk`)).some((w) => w.spend_micros === 4_242 && w.closed), 'the SDK\'s window on /spend', 30_000);
    await until(async () => (await spendOf(T)).some((w) => w.scope === 'deployment' && w.key === 'd-other' && w.spend_micros === 777), 'the other replica\'s deployment on /spend', 30_000);
    const res = await fetch(`${base}/deployments/events?tenant_id=${encodeURIComponent(T)}`, { headers: H });
    const snapshot = await firstEvent(res);
    expect(snapshot.windows.filter((w) => w.window.key === 'd-other').map((w) => [w.tenant_id, w.window.spend_usd_micros])).toEqual([[other, 777]]);
  }, 60_000);

  it('a deployment\'s ticks go out on lut.telemetry and come back as its windows on /spend and in the event stream, summing to what it spent', async () => {
    const r = await fetch(`${base}/deployments`, {
      method: 'POST', headers: H, body: JSON.stringify({ tenant_id: T, model: 'tiny', gpu_type: 'H100', gpu_count: 2, budget_usd: 5, command: modelServerCommand() }),
    });
    expect(r.status).toBe(201);
    const id = (await r.json()).deployment.id as string;
    const deployment = async () => (await (await fetch(`${base}/deployments/${id}`, { headers: H })).json()) as { state: string; spent_micros: number; ticks: number };
    await until(async () => (await deployment()).ticks >= 5, 'five ticks', 30_000);
    await fetch(`${base}/deployments/${id}/kill`, { method: 'POST', headers: H, body: '{}' });
    await until(async () => (await deployment()).state === 'killed', 'the kill', 20_000);
    const spent = (await deployment()).spent_micros;
    expect(spent).toBeGreaterThan(0);

    const sum = (ws: SpendWindow[]) => ws.filter((w) => w.scope === 'deployment' && w.key === id).reduce((s, w) => s + w.spend_micros, 0);
    await until(async () => sum(await spendOf(T)) === spent, 'the deployment\'s windows on /spend to sum to its spend', 45_000);
    // The tenant-scope windows of the deployment's scope show in its tenant's book too (the chart adds them up).
    expect((await spendOf(T)).filter((w) => w.scope === 'tenant' && w.key === `${T}/deployment:${id}`).reduce((s, w) => s + w.spend_micros, 0)).toBe(spent);

    // What `lutflow watch` reads: the event stream's snapshot holds the same windows.
    const snapshot = await firstEvent(await fetch(`${base}/deployments/events?tenant_id=${encodeURIComponent(T)}`, { headers: H }));
    const mine = snapshot.windows.filter((w) => w.window.scope === 'deployment' && w.window.key === id);
    expect(mine.every((w) => w.closed && w.tenant_id === `${T}/deployment:${id}`)).toBe(true);
    expect(mine.reduce((s, w) => s + w.window.spend_usd_micros, 0)).toBe(spent);
  }, 120_000);

  it('a replica paused past its Kafka session (SIGSTOP, as a long GC pause) shows the windows written meanwhile', async () => {
    const sdk = createKafkaTransport({ kafka: kafka('sdk-pause') });
    const scope = `${T}/paused`;
    const send = (id: string, micros: number) => sdk.publish(TOPICS.telemetry, scope, {
      schema_version: 1, event_id: id, event_time: new Date(Date.now() - 1_000).toISOString(), tenant_id: scope, provider: 'openai', model: 'gpt-4o', cost_usd_micros: micros, outcome: 'ok',
    } satisfies TelemetryEvent);
    send('before', 11);
    await sdk.flush();
    await until(async () => (await spendOf(scope)).some((w) => w.spend_micros === 11), 'the first window', 30_000);
    server.kill('SIGSTOP');
    try {
      // 13 s: past the reader's 10-second session, so its group is joined again when it wakes.
      await new Promise((r) => setTimeout(r, 3_000));
      send('during', 22);
      await sdk.flush();
      await new Promise((r) => setTimeout(r, 10_000));
    } finally {
      server.kill('SIGCONT');
    }
    await sdk.close();
    // In a window of its own, or as a late update of the first one: 33 µ$ in all either way.
    await until(async () => (await spendOf(scope)).reduce((a, w) => a + (w.scope === 'tenant' ? w.spend_micros : 0), 0) === 33, 'the spend written while it was paused', 45_000);
  }, 90_000);
});
