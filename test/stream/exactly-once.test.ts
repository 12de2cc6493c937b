import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka, createKafkaTransport, TOPICS } from '../../stream/index.js';
import { ROOT, TSX } from '../helpers/index.js';
import { createReader, sameSums, waitFor } from '../helpers/kafka.js';
import { telemetryWorkload, windowSums } from '../helpers/telemetry-workload.js';
import { brokerScript, freeBrokerPort } from '../setup/kafka.js';

// Its own broker: this suite kills it.
let PORT = 0;
const broker = async (cmd: 'start' | 'kill') => { await promisify(execFile)('bash', [join(ROOT, 'scripts/kafka.sh'), cmd, String(PORT)], { timeout: 120_000 }); };
beforeAll(async () => { PORT = await freeBrokerPort(); brokerScript('start', PORT, true); }, 180_000);
afterAll(() => { brokerScript('wipe', PORT); });

/** `lutflow windows` as an operator runs it, in a process of its own; its JSON log lines are kept. */
function windowJob(group: string) {
  const lines: string[] = [];
  const child: ChildProcess = spawn(process.execPath, ['--import', TSX, join(ROOT, 'cli/main.ts'), 'windows',
    '--brokers', `127.0.0.1:${PORT}`, '--group', group, '--idle-timeout', '3s', '--commit-interval', '300ms', '--metrics', '127.0.0.1:0', '--give-up-after', '90s'],
  { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let rest = '';
  child.stderr!.on('data', (d: Buffer) => {
    const parts = (rest + d.toString()).split('\n');
    rest = parts.pop()!;
    lines.push(...parts);
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code, signal) => r(code ?? (signal ? -1 : null))));
  const logged = (msg: string) => lines.map((l) => { try { return JSON.parse(l); } catch { return {}; } }).find((l) => l.msg === msg);
  return { child, lines, exited, logged };
}

describe('cost windows exactly once under real faults (the acceptance run, CI size)', () => {
  it('50 tenants, out-of-order, late and duplicate events; the broker killed once and the window job killed twice: every tenant\'s windows sum to the truth to the micro-dollar', async () => {
    const prefix = `eo-${randomUUID().slice(0, 8)}`;
    const group = `windows-${prefix}`;
    const wl = telemetryWorkload({ events: 30_000, tenants: 50, prefix, seed: 11, duplicateRate: 0.01, lateRate: 0.01 });
    const kafka = (id: string) => createKafka({ brokers: [`127.0.0.1:${PORT}`], clientId: id });
    // The SDK's path: the Kafka transport, keyed by tenant, waiting for room rather than dropping.
    // On a fresh broker the job creates the topics it needs (issue row 6: it used to die on UNKNOWN_TOPIC_OR_PARTITION).
    let job = windowJob(group);
    const admin = kafka('admin').admin();
    await admin.connect();
    const created = await waitFor(() => !!job.logged('resumed from the recorded state'), 60_000);
    const topics = await admin.listTopics();
    await admin.disconnect();
    expect(created).toBe(true);
    expect(topics).toEqual(expect.arrayContaining([TOPICS.telemetry, TOPICS.costWindows, `${TOPICS.telemetry}.dlq`, `lut.cost-windows.state.${group}`]));
    const transport = createKafkaTransport({ kafka: kafka('sdk'), capacity: 5000 });
    const reader = createReader(kafka('reader'));
    const kills: number[] = [];
    const chunk = 1000;
    for (let i = 0, step = 0; i < wl.events.length; i += chunk, step++) {
      for (const e of wl.events.slice(i, i + chunk)) expect(await transport.publishAsync(TOPICS.telemetry, undefined, e)).toBe(true);
      await new Promise((r) => setTimeout(r, 250));
      if (step === 7 || step === 22) {
        job.child.kill('SIGKILL');
        kills.push(await job.exited as number);
        job = windowJob(group);
      }
      if (step === 14) {
        await broker('kill');
        await new Promise((r) => setTimeout(r, 5000));
        await broker('start');
      }
    }
    await transport.flush(60_000);
    expect(transport.stats()).toMatchObject({ published: wl.events.length, dropped: 0 });
    await transport.close();

    const ok = await waitFor(() => sameSums(windowSums(reader.records, prefix).perTenant, wl.truth), 120_000);
    const sums = windowSums(reader.records, prefix);
    // The job a supervisor would keep: it is still running, serving metrics, and stops cleanly.
    const metricsUrl = job.logged('started')?.metrics as string;
    const metrics = await (await fetch(metricsUrl)).text();
    job.child.kill('SIGTERM');
    const code = await job.exited;
    await reader.stop();
    expect(kills).toEqual([-1, -1]);
    expect(ok, `tenants off: ${[...wl.truth].filter(([t, v]) => sums.perTenant.get(t) !== v).length}; job log:\n${job.lines.slice(-15).join('\n')}`).toBe(true);
    expect(sums.perTenant).toEqual(wl.truth);
    expect(sums.decreases).toBe(0);
    expect(metrics).toMatch(/^lutflow_windows_events_total \d+$/m);
    expect(metrics).toMatch(/^lutflow_windows_consumer_lag\{partition="0"\} 0$/m);
    expect(code).toBe(0);
    expect(job.logged('stopped')).toBeTruthy();
  }, 300_000);

  it('a window job that cannot reach its broker exits 1 after --give-up-after, saying why', async () => {
    const r = await promisify(execFile)(process.execPath, ['--import', TSX, join(ROOT, 'cli/main.ts'), 'windows', '--brokers', '127.0.0.1:1', '--give-up-after', '2s', '--metrics', '0'], { cwd: ROOT, timeout: 90_000 })
      .then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/"level":"error".*cost-window job stopped: no progress/);
    expect(r.stderr).toMatch(/ECONNREFUSED|Connection error/);
  }, 120_000);

  it('answers a bad flag with exit 2 and the usage', async () => {
    const r = await promisify(execFile)(process.execPath, ['--import', TSX, join(ROOT, 'cli/main.ts'), 'windows', '--brokers', 'x:1', '--window', 'ten'], { cwd: ROOT })
      .then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--window: expected a duration such as 500ms, 10s or 2m, got 'ten'/);
    expect(r.stderr).toMatch(/usage: lutflow windows/);
  });
});
