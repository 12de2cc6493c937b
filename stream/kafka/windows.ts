import type { Kafka } from 'kafkajs';
import type { WindowOptions } from '../windows/aggregator.js';
import type { WindowStats } from '../windows/state.js';
import { supervise, type JobLog } from './supervise.js';
import { startWindowJob, type WindowJobRun } from './window-job.js';
import { windowStateTopic } from './window-state.js';

export interface KafkaCostWindowsOptions extends Omit<WindowOptions, 'emit'> {
  readonly kafka: Kafka;
  readonly groupId?: string;
  /** How often windows, dead letters, state and offsets are committed together (one Kafka transaction). */
  readonly commitIntervalMs?: number;
  /** Give up (the job's `done` rejects) after this long without a successful commit or a caught-up read. */
  readonly giveUpAfterMs?: number;
  readonly log?: JobLog;
}

export interface CostWindowJobStats extends WindowStats {
  readonly windowsPublished: number;
  readonly deadLetters: number;
  readonly commits: number;
  readonly restarts: number;
  /** Replayed events whose ids went back into held windows after a restart. */
  readonly rebuilt: number;
  /** Records not yet read, per input partition, as of the last fetch. */
  readonly lag: Readonly<Record<number, number>>;
}

export interface CostWindowJob {
  stats(): CostWindowJobStats;
  /** Rejects when the job cannot go on; resolves after `stop()`. */
  readonly done: Promise<void>;
  /** Commits what it holds and stops. */
  stop(): Promise<void>;
  /** Stops without committing, as a crash would (tests). */
  kill(): Promise<void>;
}

const WINDOW_JOB_DEFAULTS = { groupId: 'lutflow-cost-windows', commitIntervalMs: 1000, idleTimeoutMs: 10_000 };

const EMPTY_STATS = {
  events: 0,
  duplicates: 0,
  late: 0,
  tooLate: 0,
  emitted: 0,
  openWindows: 0,
  windowsPublished: 0,
  deadLetters: 0,
  commits: 0,
  rebuilt: 0,
  lag: {},
};

/**
 * The cost-window job on Kafka: lut.telemetry in, lut.cost-windows out, exactly once across restarts.
 * Every commit is one Kafka transaction holding the windows emitted since the last one, the dead letters,
 * the job's state (held windows, tenant clocks, positions) in a compacted changelog topic, and the consumer
 * offsets: all or nothing. The offset committed is the oldest event a held window still needs, so a
 * restart reads the state back, replays those events only to recover their ids (for dedupe), and goes on
 * from the last processed offset, never publishing a window with less than it already published.
 * After a failure (broker gone, transaction refused) the clients and state are rebuilt from Kafka.
 */
export function runKafkaCostWindows(opts: KafkaCostWindowsOptions): CostWindowJob {
  const groupId = opts.groupId ?? WINDOW_JOB_DEFAULTS.groupId;
  const config = {
    ...opts,
    groupId,
    stateTopic: windowStateTopic(groupId),
    commitIntervalMs: opts.commitIntervalMs ?? WINDOW_JOB_DEFAULTS.commitIntervalMs,
    idleTimeoutMs: opts.idleTimeoutMs ?? WINDOW_JOB_DEFAULTS.idleTimeoutMs,
  };
  let live: WindowJobRun | undefined;
  const supervisor = supervise(
    async (s) => {
      const run = await startWindowJob(config, s);
      live = run;
      return run;
    },
    { name: 'cost-window job', log: opts.log, giveUpAfterMs: opts.giveUpAfterMs },
  );
  return {
    stats: () => ({ ...EMPTY_STATS, ...live?.stats(), restarts: supervisor.restarts }),
    done: supervisor.done,
    stop: () => supervisor.stop(),
    async kill() {
      live?.kill();
      await supervisor.stop();
    },
  };
}
