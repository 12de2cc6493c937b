import type { Kafka } from 'kafkajs';
import {
  DeltaError,
  latestVersion,
  optimizeDeltaTable,
  readDeltaTable,
  readSnapshot,
  type Snapshot,
} from '../delta/index.js';
import type { FeatureBuilder } from '../features/index.js';
import { consumeContract, ensureTopics, TOPICS, type ConsumedMessage, type RunRecord } from '../stream/index.js';
import {
  FatalJobError,
  serial,
  supervise,
  type Incarnation,
  type JobLog,
  type Supervisor,
} from '../stream/kafka/supervise.js';
import { appendRunRecords } from './runs-table.js';

export interface RunRecordSinkOptions {
  readonly kafka: Kafka;
  /** The local Delta table finished runs land in (the role Tableflow plays in production). */
  readonly table: string;
  /** The tenant history `/predict` reads; kept current with every finished run. */
  readonly builder?: FeatureBuilder;
  readonly groupId?: string;
  /** One Delta commit per this many records held, or per `flushIntervalMs`, whichever comes first. */
  readonly flushRows?: number;
  readonly flushIntervalMs?: number;
  /** Compact the table when it has this many small files (0: never). */
  readonly compactFiles?: number;
  /** Give up (`done` rejects) after this long without landing anything while records wait. */
  readonly giveUpAfterMs?: number;
  readonly log?: JobLog;
}

export interface RunRecordSinkStats {
  appended: number;
  skippedDuplicates: number;
  unfinished: number;
  commits: number;
  compactions: number;
  appendFailures: number;
  /** Records held, not yet in the table. */
  held: number;
  /** Dead letters sent to lut.pcpo-features.dlq. */
  deadLetters: number;
}

export interface RunRecordSink {
  readonly stats: RunRecordSinkStats;
  /** Rejects when the sink cannot go on (a full disk, no progress); resolves after `stop()`. */
  readonly done: Promise<void>;
  readonly restarts: number;
  /** Records not yet landed (or dead-lettered), per partition: the topic's end against the table's txn versions. */
  lag(): Promise<Map<number, number>>;
  /** Lands what it holds and stops. */
  stop(): Promise<void>;
}

const DEFAULTS = {
  groupId: 'lutflow-run-records',
  flushRows: 5_000,
  flushIntervalMs: 2_000,
  compactFiles: 50,
  appendAttempts: 5,
};

/**
 * Consumes lut.pcpo-features into the Delta table exactly once per run id. Records are held and landed in
 * one Delta commit per `flushRows` or `flushIntervalMs`; the commit carries one `txn` per partition (app id
 * = group and partition, version = last offset handled), and the Kafka offsets are committed after it. A run
 * id counts as seen only once its commit is in the table; a failed append is retried, never skipped, and a
 * full disk stops the sink with nothing committed, so a restart lands the same records. After a failure the
 * consumer and the table state are rebuilt from the table (`txn` versions, run ids). The table gets a
 * checkpoint every 10 commits and is compacted when small files pile up.
 */
export async function runRecordSink(opts: RunRecordSinkOptions): Promise<RunRecordSink> {
  const stats: RunRecordSinkStats = {
    appended: 0,
    skippedDuplicates: 0,
    unfinished: 0,
    commits: 0,
    compactions: 0,
    appendFailures: 0,
    held: 0,
    deadLetters: 0,
  };
  const landed = new Map<number, bigint>();
  let first: Promise<void> | undefined;
  const supervisor = supervise(
    (s) => {
      const started = startSink(opts, stats, landed, s);
      first ??= started.then(() => {});
      return started;
    },
    { name: 'run-record sink', log: opts.log, giveUpAfterMs: opts.giveUpAfterMs },
  );
  // The first start's errors (no broker, a table that is not a table) reach the caller at once.
  try {
    await Promise.race([first, supervisor.done]);
  } catch (err) {
    await supervisor.stop();
    throw err;
  }
  // The admin client behind lag(): closed when the sink ends, however it ends.
  const admin = opts.kafka.admin();
  let connected: Promise<void> | undefined;
  let ended = false;
  const closeAdmin = async () => {
    ended = true;
    if (connected) await admin.disconnect().catch(() => {});
  };
  const done = supervisor.done.then(closeAdmin, async (err) => {
    await closeAdmin();
    throw err;
  });
  done.catch(() => {});
  return {
    stats,
    done,
    get restarts() {
      return supervisor.restarts;
    },
    async lag() {
      if (ended) throw new Error('the sink has stopped');
      await (connected ??= admin.connect());
      const out = new Map<number, number>();
      for (const e of await admin.fetchTopicOffsets(TOPICS.runRecords)) {
        const next = landed.has(e.partition) ? landed.get(e.partition)! + 1n : BigInt(e.low);
        const n = BigInt(e.high) - next;
        out.set(e.partition, Number(n > 0n ? n : 0n));
      }
      return out;
    },
    async stop() {
      await supervisor.stop();
      await closeAdmin();
    },
  };
}

async function startSink(
  opts: RunRecordSinkOptions,
  stats: RunRecordSinkStats,
  landed: Map<number, bigint>,
  supervisor: Supervisor,
): Promise<Incarnation> {
  const groupId = opts.groupId ?? DEFAULTS.groupId;
  const appId = (partition: number) => `${groupId}/${TOPICS.runRecords}/${partition}`;
  const admin = opts.kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin);
  } finally {
    await admin.disconnect().catch(() => {});
  }
  let snapshot: Snapshot | undefined;
  const seen = new Set<string>();
  if (latestVersion(opts.table) >= 0) {
    snapshot = await readSnapshot(opts.table);
    for (const row of (await readDeltaTable(opts.table, { columns: ['run_id'] })).rows) seen.add(String(row.run_id));
  }
  const prefix = appId(0).slice(0, -1);
  for (const [id, v] of snapshot?.appVersions ?? [])
    if (id.startsWith(prefix)) landed.set(Number(id.slice(prefix.length)), BigInt(v));
  // Per partition: the records held since the last commit, and the last offset handled (the txn version).
  const held = new Map<number, { records: ConsumedMessage<RunRecord>[]; last: bigint }>();
  stats.held = 0;
  let heldSince = 0;
  const run = serial();
  // After any failure this incarnation handles nothing more: what it holds is replayed by the next one.
  let broken = false;
  let reject!: (err: unknown) => void;
  let finish!: () => void;
  const done = new Promise<void>((resolve, rej) => {
    reject = rej;
    finish = resolve;
  });
  const fail = (err: unknown) => {
    broken = true;
    reject(err);
  };

  const append = async (records: RunRecord[], txns: { appId: string; version: number }[]) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await appendRunRecords(opts.table, records, { txns, operation: 'STREAMING UPDATE', snapshot });
      } catch (err) {
        stats.appendFailures++;
        const code = (err as { code?: string }).code;
        // Nothing in the table can fix these by waiting: stop, with nothing committed (a restart lands the same records).
        if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EROFS' || code === 'EACCES')
          throw new FatalJobError(`cannot write ${opts.table}: ${(err as Error).message}`, err);
        // Another writer landed these offsets: start again from what the table holds.
        if (err instanceof DeltaError && err.code === 'TXN_CONFLICT') throw err;
        // A row the table refuses is a bug (the contract admits only what the table holds): stop, skip nothing.
        if (err instanceof DeltaError && err.code !== 'COMMIT_CONFLICT')
          throw new FatalJobError(`cannot append to ${opts.table}: ${err.message}`, err);
        if (attempt >= DEFAULTS.appendAttempts) throw err;
        opts.log?.('warn', 'Delta append failed; retrying', {
          table: opts.table,
          attempt,
          error: String((err as Error).message),
        });
        await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
      }
    }
  };

  const flush = async () => {
    if (!held.size) return;
    const finished: RunRecord[] = [];
    const fresh: RunRecord[] = [];
    const batchIds = new Set<string>();
    for (const { records } of held.values()) {
      for (const { value } of records) {
        if (!value.outcome) {
          stats.unfinished++;
          continue;
        }
        finished.push(value);
        if (seen.has(value.run_id) || batchIds.has(value.run_id)) {
          stats.skippedDuplicates++;
          continue;
        }
        batchIds.add(value.run_id);
        fresh.push(value);
      }
    }
    const txns = [...held].map(([p, h]) => ({ appId: appId(p), version: Number(h.last) }));
    const result = await append(fresh, txns);
    // Only now, with the commit in the table, do the runs count as seen and the offsets move.
    snapshot = result.snapshot;
    for (const id of batchIds) seen.add(id);
    for (const r of finished) opts.builder?.observe(r);
    stats.appended += fresh.length;
    stats.commits++;
    const offsets = [...held].map(([partition, h]) => ({
      topic: TOPICS.runRecords,
      partition,
      offset: (h.last + 1n).toString(),
    }));
    for (const [p, h] of held) landed.set(p, h.last);
    held.clear();
    stats.held = 0;
    supervisor.progress();
    // The table's txn versions are the record of what landed; the group offsets only save a replay.
    await consumer.consumer
      .commitOffsets(offsets)
      .catch((err) =>
        opts.log?.('warn', 'committing Kafka offsets failed; the table keeps the position', { error: String(err) }),
      );
    await compact();
  };

  const compact = async () => {
    const limit = opts.compactFiles ?? DEFAULTS.compactFiles;
    if (!limit || !snapshot || [...snapshot.files.values()].filter((f) => f.size < 16 << 20).length < limit) return;
    const r = await optimizeDeltaTable(opts.table, { snapshot });
    snapshot = r.snapshot;
    if (!r.skipped) {
      stats.compactions++;
      opts.log?.('info', 'compacted the table', {
        table: opts.table,
        filesRemoved: r.filesRemoved,
        filesAdded: r.filesAdded,
        version: r.version,
      });
    }
  };

  const consumer = await consumeContract({
    kafka: opts.kafka,
    topic: TOPICS.runRecords,
    groupId,
    commitOffset: () => undefined,
    handleBatch: (messages, partition, lastOffset) =>
      run(async () => {
        if (broken) return;
        const upTo = BigInt(snapshot?.appVersions.get(appId(partition)) ?? -1);
        if (lastOffset <= upTo) return;
        const h = held.get(partition) ?? { records: [], last: upTo };
        if (!held.size) heldSince = Date.now();
        held.set(partition, h);
        for (const m of messages)
          if (m.offset > upTo) {
            h.records.push(m);
            stats.held++;
          }
        h.last = lastOffset;
        if (stats.held >= (opts.flushRows ?? DEFAULTS.flushRows)) await flush().catch(fail);
      }),
  });
  const deadBefore = stats.deadLetters;
  const timer = setInterval(() => {
    stats.deadLetters = deadBefore + consumer.stats.deadLettered;
    void run(async () => {
      if (held.size && Date.now() - heldSince >= (opts.flushIntervalMs ?? DEFAULTS.flushIntervalMs)) await flush();
      else if (!held.size) supervisor.progress();
    }).catch(fail);
  }, 100);
  consumer.done.catch(fail);

  const close = async () => {
    clearInterval(timer);
    await consumer.stop();
  };
  return {
    done: done.finally(close),
    async stop() {
      if (!broken)
        await run(flush).catch((err) =>
          opts.log?.('error', 'last flush failed; the records stay in Kafka', {
            error: String((err as Error).message),
          }),
        );
      await close();
      finish();
    },
  };
}
