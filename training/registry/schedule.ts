import { spawn, type ChildProcess } from 'node:child_process';
import { Cron } from 'croner';

export interface RetrainSchedule {
  /** When the next retrain starts (null once stopped). */
  next(): Date | null;
  /** Runs finished so far, with their exit codes. */
  readonly finished: number[];
  /** No more runs; a run still going is ended (SIGTERM, SIGKILL after 10 s) and waited for. */
  stop(): Promise<void>;
}

export interface ScheduleOptions {
  /** A cron expression: 5 fields (minute first), or 6 with seconds first. */
  readonly cron: string;
  readonly timezone?: string;
  /** Arguments after `lutflow retrain`. */
  readonly args: readonly string[];
  /** The command that runs `lutflow` (default: this process's own entry point, with its Node options). */
  readonly command?: readonly string[];
  readonly log: (line: string) => void;
}

/** Checks a cron expression; throws with croner's message when it is not one. */
export function parseCron(cron: string, timezone?: string): Cron {
  return new Cron(cron, { paused: true, timezone });
}

/**
 * Retraining on a schedule inside a long-lived process (`lutflow serve --retrain "0 3 * * *"`): each run is a
 * `lutflow retrain` child process, so training never blocks the server's event loop and a crash in it cannot
 * take the server down; a run still going when the next is due is not started twice. The server picks the
 * promoted model up through the registry pointer it watches.
 */
export function scheduleRetrain(opts: ScheduleOptions): RetrainSchedule {
  const [exe, ...pre] = opts.command ?? [process.execPath, ...process.execArgv, process.argv[1]];
  const finished: number[] = [];
  let running: { child: ChildProcess; closed: Promise<void> } | undefined;
  const job = new Cron(opts.cron, { protect: true, timezone: opts.timezone, catch: (err) => opts.log(`retrain schedule: ${(err as Error).message}`) }, () =>
    new Promise<void>((resolve) => {
      opts.log(`retrain schedule: starting lutflow retrain ${opts.args.join(' ')}`);
      const child = spawn(exe, [...pre, 'retrain', ...opts.args], { stdio: ['ignore', 'ignore', 'pipe'] });
      running = { child, closed: new Promise((r) => child.once('close', () => r())) };
      let rest = '';
      child.stderr.on('data', (b: Buffer) => {
        const lines = (rest + b.toString('utf8')).split('\n');
        rest = lines.pop() ?? '';
        for (const l of lines) if (l.trim()) opts.log(`retrain: ${l}`);
      });
      child.on('close', (code) => {
        if (rest.trim()) opts.log(`retrain: ${rest}`);
        running = undefined;
        finished.push(code ?? 1);
        opts.log(`retrain schedule: run finished (exit ${code}); next at ${job.nextRun()?.toISOString() ?? 'never'}`);
        resolve();
      });
    }),
  );
  return {
    next: () => job.nextRun(), finished,
    async stop() {
      job.stop();
      const run = running;
      if (!run) return;
      // A retrain ended half-way promotes nothing: the registry keeps its current model.
      run.child.kill('SIGTERM');
      const killer = setTimeout(() => run.child.kill('SIGKILL'), 10_000);
      await run.closed;
      clearTimeout(killer);
    },
  };
}
