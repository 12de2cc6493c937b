import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { gpuTimeCostMicros } from '../../pricing/index.js';
import { quantile } from '../runner.js';

/**
 * SELF_KILL with the main thread blocked: a child process runs a GPU timer past its budget while a
 * synchronous loop holds its main thread for 3 s. Measured from the moment the timer's cost passes
 * the limit to the moment the parent sees the child die, for several watchdog ticks.
 */
const ROUNDS = 10;

function once(fixture: string, execArgv: string[], tickMs: number): Promise<{ lateMs: number; signal: string | null; loopDone: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...execArgv, fixture], { env: { ...process.env, TICK_MS: String(tickMs) } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      const died = performance.timeOrigin + performance.now();
      const first = out.split('\n')[0];
      if (!first) return reject(new Error(`no output from the fixture: ${out}`));
      const { startedEpochMs, microsPerHour, limitMicros } = JSON.parse(first);
      // The first whole millisecond at which the timer's cost passes the limit.
      let ms = Math.floor((limitMicros * 3_600_000) / microsPerHour);
      while (gpuTimeCostMicros(ms, microsPerHour) <= limitMicros) ms++;
      resolve({ lateMs: died - (startedEpochMs + ms), signal, loopDone: out.includes('loop done') });
    });
  });
}

export async function run(): Promise<void> {
  const ts = import.meta.url.endsWith('.ts');
  const fixture = fileURLToPath(new URL(`./fixtures/blocked-kill.${ts ? 'ts' : 'js'}`, import.meta.url));
  const execArgv = ts ? ['--import', 'tsx'] : [];
  console.log(`\n## sdk: SELF_KILL with the main thread blocked for 3 s (${ROUNDS} child processes per tick)`);
  console.log('| watchdog tick ms | killed before the loop ended | after the crossing: median ms | max ms |');
  console.log('|---:|---:|---:|---:|');
  for (const tick of [20, 100, 250]) {
    const runs = [];
    for (let i = 0; i < ROUNDS; i++) runs.push(await once(fixture, execArgv, tick));
    const killed = runs.filter((r) => r.signal === 'SIGKILL' && !r.loopDone).length;
    const late = runs.map((r) => r.lateMs);
    console.log(`| ${tick} | ${killed} / ${ROUNDS} | ${quantile(late, 0.5).toFixed(1)} | ${Math.max(...late).toFixed(1)} |`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
