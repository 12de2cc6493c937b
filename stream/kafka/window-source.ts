import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { TOPICS } from '../topics.js';
import { windowListeners, type CostWindowSource } from '../windows/source.js';
import { consumeContract } from './consume.js';
import { supervise, type JobLog } from './supervise.js';

export interface FollowWindowsOptions {
  readonly kafka: Kafka;
  /** Windows written this long ago are read at start (and after a restart), so a late reader has the recent past. */
  readonly historyMs?: number;
  readonly clock?: () => number;
  readonly log?: JobLog;
}

export type WindowFollower = CostWindowSource & {
  stats(): { windows: number; skipped: number; restarts: number };
};

/**
 * Follows `lut.cost-windows` as its writer publishes it, for a process that shows windows (each server replica
 * reads every partition: a group of its own that commits nothing). Reading again after a broker outage starts
 * over from `historyMs` back, and a rejoin of the group (a rebalance, a session that timed out) goes on after
 * the last record read: a window record replaces the one of its key, so reading one twice changes nothing.
 * A record that is not a window is logged and skipped. Never gives up: a server keeps serving while Kafka is
 * away and catches up when it is back.
 */
export async function followCostWindows(opts: FollowWindowsOptions): Promise<WindowFollower> {
  const clock = opts.clock ?? Date.now;
  const historyMs = opts.historyMs ?? 3_600_000;
  const out = windowListeners();
  let windows = 0;
  let skipped = 0;
  const job = supervise(async (s) => consumeContract({
    kafka: opts.kafka, topic: TOPICS.costWindows, groupId: `lutflow-window-reader-${randomUUID()}`, startAt: clock() - historyMs,
    commitOffset: () => undefined,
    // Not dead-lettered: every replica reads every record, and each restart reads the hour again.
    onInvalid: (letters) => {
      skipped += letters.length;
      opts.log?.('warn', 'records on lut.cost-windows that are not cost windows were skipped', { count: letters.length, reason: letters[0].reason, partition: letters[0].partition, offset: letters[0].offset });
    },
    handleBatch: async (messages) => {
      for (const m of messages) out.emit(m.value, true);
      windows += messages.length;
      s.progress();
    },
  }), { name: 'cost-window reader', log: opts.log, giveUpAfterMs: Infinity });
  job.done.catch((err: unknown) => opts.log?.('error', 'cost-window reader stopped', { error: String((err as Error)?.message ?? err) }));
  return {
    on: out.on,
    stats: () => ({ windows, skipped, restarts: job.restarts }),
    close: () => job.stop(),
  };
}
