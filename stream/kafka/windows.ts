import { CompressionTypes, type Consumer, type Kafka, type Message, type Producer } from 'kafkajs';
import { toDeadLetter } from '../contracts/dead-letters.js';
import { decode } from '../contracts/validate.js';
import { deadLetterTopic, TOPICS } from '../topics.js';
import { CostWindowAggregator, type WindowOptions } from '../windows/aggregator.js';
import type { CostWindow } from '../windows/contract.js';
import type { WindowStats } from '../windows/state.js';
import { chunkMessages } from './chunks.js';
import { readToEnd } from './read-topic.js';
import { serial, supervise, type Incarnation, type JobLog, type Supervisor } from './supervise.js';
import { changelogSpec, ensureTopics, TOPIC_SPECS } from './topics.js';
import { parseState, stateMessages, windowStateTopic, type JobCounters, type PartitionPosition } from './window-state.js';

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

const DEFAULTS = { groupId: 'lutflow-cost-windows', commitIntervalMs: 1000, idleTimeoutMs: 10_000 };
/** The consumer's long poll: also the tick of the idle clock and of commits. */
const MAX_WAIT_MS = 250;
/**
 * A killed job's consumer stays in the group until this runs out, and its successor's join waits for
 * that: the broker's smallest allowed session timeout (group.min.session.timeout.ms, 6 s by default).
 */
const SESSION_TIMEOUT_MS = 6_000;

const windowKey = (w: CostWindow) => `${w.scope}/${w.key}/${w.window_start}`;

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
  const groupId = opts.groupId ?? DEFAULTS.groupId;
  const stateTopic = windowStateTopic(groupId);
  let live: ReturnType<typeof incarnationState> | undefined;
  let lastStats: CostWindowJobStats | undefined;
  const supervisor = supervise((s) => startIncarnation(opts, groupId, stateTopic, s, (st) => { live = st; }), { name: 'cost-window job', log: opts.log, giveUpAfterMs: opts.giveUpAfterMs });
  const stats = (): CostWindowJobStats => {
    if (live) lastStats = live.stats(supervisor.restarts);
    return lastStats ?? { events: 0, duplicates: 0, late: 0, tooLate: 0, emitted: 0, openWindows: 0, windowsPublished: 0, deadLetters: 0, commits: 0, restarts: supervisor.restarts, rebuilt: 0, lag: {} };
  };
  return {
    stats,
    done: supervisor.done,
    stop: () => supervisor.stop(),
    async kill() {
      live?.kill();
      await supervisor.stop();
    },
  };
}

function incarnationState(agg: CostWindowAggregator, counters: JobCounters, lag: Map<number, number>, box: { commits: number; rebuilt: number; killed: boolean }) {
  return {
    stats: (restarts: number): CostWindowJobStats => ({
      ...agg.stats(), ...counters, commits: box.commits, rebuilt: box.rebuilt, restarts, lag: Object.fromEntries(lag),
    }),
    kill: () => { box.killed = true; },
  };
}

async function startIncarnation(opts: KafkaCostWindowsOptions, groupId: string, stateTopic: string, supervisor: Supervisor, publish: (s: ReturnType<typeof incarnationState>) => void): Promise<Incarnation> {
  const kafka = opts.kafka;
  const admin = kafka.admin({ retry: { retries: 2 } });
  await admin.connect();
  try {
    await ensureTopics(admin, [...TOPIC_SPECS, changelogSpec(stateTopic)]);
  } catch (err) {
    await admin.disconnect().catch(() => {});
    throw err;
  }
  // The transactional id fences any older instance of this job: its open transaction is aborted here.
  const producer: Producer = kafka.producer({ transactionalId: `lutflow-windows/${groupId}`, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, transactionTimeout: 60_000 });
  let consumer: Consumer | undefined;
  let poll: NodeJS.Timeout | undefined;
  const closeAll = async () => {
    clearInterval(poll);
    await consumer?.disconnect().catch(() => {});
    await producer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
  };
  try {
    const started = Date.now();
    await producer.connect();
    const connectMs = Date.now() - started;
    const restoreStarted = Date.now();
    const recorded = parseState(await readToEnd(kafka, stateTopic));
    const restoredAt = Date.now();
    const pending = new Map<string, CostWindow>();
    const agg = new CostWindowAggregator({ ...opts, idleTimeoutMs: opts.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs, emit: (w) => pending.set(windowKey(w), w) });
    agg.restore(recorded);
    const counters: JobCounters = { ...recorded.counters };
    const processed = new Map<number, bigint>([...recorded.positions].map(([p, pos]) => [p, pos.processed]));
    const committedFrom = new Map<number, bigint>([...recorded.positions].map(([p, pos]) => [p, pos.from]));
    const times = new Map<number, number>(recorded.partitionTimes);
    const lag = new Map<number, number>();
    const setLag = (p: number, n: number) => {
      lag.set(p, n);
      agg.setLagging(new Set([...lag].filter(([, l]) => l > 0).map(([q]) => q)));
    };
    // Exact lag from the end offsets: a partition with unread records holds every tenant's watermark back.
    const refreshLag = async () => {
      const ends = await admin.fetchTopicOffsets(TOPICS.telemetry);
      await run(async () => {
        for (const e of ends) {
          const next = processed.has(e.partition) ? processed.get(e.partition)! + 1n : BigInt(e.low);
          const n = BigInt(e.high) - next;
          setLag(e.partition, Number(n > 0n ? n : 0n));
        }
      });
    };
    const box = { commits: 0, rebuilt: 0, killed: false };
    let dead: Message[] = [];
    let dirty = false;
    let lastCommit = Date.now();
    const run = serial();

    const commit = async () => {
      if (box.killed) return;
      const changes = agg.takeChanges();
      for (const [p, t] of changes.partitions) times.set(p, t);
      const positions = new Map<number, PartitionPosition>();
      const held = agg.heldPositions();
      for (const [p, last] of processed) positions.set(p, { from: held.get(p) ?? last + 1n, processed: last, time: times.get(p) });
      const moved = [...positions].some(([p, pos]) => committedFrom.get(p) !== pos.from);
      if (!dirty && !moved && !pending.size && !dead.length && !changes.windows.length && !changes.tenants.length && !changes.forgotten.length) return;
      const outputs: Message[] = [...pending.values()].map((w) => ({ key: windowKey(w), value: JSON.stringify(w) }));
      const letters = dead;
      const counted = { windowsPublished: counters.windowsPublished + outputs.length, deadLetters: counters.deadLetters + letters.length };
      const tx = await producer.transaction();
      try {
        const send = async (topic: string, messages: Message[]) => {
          for (const chunk of chunkMessages(messages)) await tx.send({ topic, compression: CompressionTypes.Snappy, messages: chunk });
        };
        await send(TOPICS.costWindows, outputs);
        await send(deadLetterTopic(TOPICS.telemetry), letters);
        await send(stateTopic, stateMessages(changes, positions, counted));
        const partitions = [...positions].map(([partition, pos]) => ({ partition, offset: pos.from.toString() }));
        if (partitions.length) await tx.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: TOPICS.telemetry, partitions }] });
        if (box.killed) throw new Error('killed');
        await tx.commit();
      } catch (err) {
        await tx.abort().catch(() => {});
        throw err;
      }
      // Only now, with the broker's acknowledgement, do the windows and dead letters leave memory.
      pending.clear();
      dead = [];
      dirty = false;
      Object.assign(counters, counted);
      for (const [p, pos] of positions) committedFrom.set(p, pos.from);
      box.commits++;
      lastCommit = Date.now();
      supervisor.progress();
    };

    let fail!: (err: unknown) => void;
    let finish!: () => void;
    const done = new Promise<void>((resolve, reject) => { fail = reject; finish = resolve; });
    // Any failure ends this incarnation: what it holds in memory may be ahead of what was committed.
    const failWith = (err: unknown) => { box.killed = true; fail(err); };
    const commitOrFail = () => commit().catch(failWith);

    consumer = kafka.consumer({
      groupId, allowAutoTopicCreation: false, sessionTimeout: SESSION_TIMEOUT_MS, heartbeatInterval: 1_000, maxWaitTimeInMs: MAX_WAIT_MS,
      retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2000, restartOnFailure: async () => false },
    });
    const c = consumer;
    let assigned: number[] | undefined;
    let lastFetch = 0;
    c.on(c.events.CRASH, ({ payload }) => failWith(payload.error));
    c.on(c.events.GROUP_JOIN, ({ payload }) => {
      const now = (payload.memberAssignment[TOPICS.telemetry] ?? []).slice().sort((a, b) => a - b);
      // State is per job, not per partition: another assignment means reading it back from the changelog.
      if (assigned && now.join() !== assigned.join()) failWith(new Error(`partitions reassigned (${assigned.join(',')} → ${now.join(',')})`));
      assigned = now;
    });
    c.on(c.events.FETCH, () => {
      const now = Date.now();
      const gap = lastFetch ? now - lastFetch : 0;
      lastFetch = now;
      void run(async () => {
        // Idle time counts only while reads succeed and a partition is read to its end.
        if (gap > 0 && gap < 4 * MAX_WAIT_MS + 1000) for (const p of assigned ?? []) if ((lag.get(p) ?? 0) === 0) agg.idle(p, gap);
        if (![...lag.values()].some((l) => l > 0)) supervisor.progress();
        if (Date.now() - lastCommit >= (opts.commitIntervalMs ?? DEFAULTS.commitIntervalMs)) await commitOrFail();
      }).catch(failWith);
    });

    await refreshLag();
    poll = setInterval(() => { refreshLag().catch(() => {}); }, 500);
    await c.connect();
    await c.subscribe({ topic: TOPICS.telemetry, fromBeginning: true });
    await c.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }) => {
        await run(async () => {
          if (box.killed) return;
          const p = batch.partition;
          for (const m of batch.messages) {
            const offset = BigInt(m.offset);
            const bytes = m.value ?? Buffer.alloc(0);
            const v = decode(TOPICS.telemetry, bytes);
            if (offset <= (processed.get(p) ?? -1n)) {
              // Already counted before the restart: only the ids come back; its dead letter was sent then.
              if (v.ok) { agg.rebuild(v.value); box.rebuilt++; }
              continue;
            }
            if (v.ok) agg.add(v.value, { partition: p, offset });
            else {
              const key = m.key?.toString('utf8');
              const letter = toDeadLetter({ topic: TOPICS.telemetry, bytes, key, partition: p, offset: m.offset }, v.errors);
              dead.push({ key: letter.key ?? null, value: JSON.stringify(letter) });
            }
            processed.set(p, offset);
            dirty = true;
          }
          setLag(p, Math.max(0, Number(BigInt(batch.highWatermark) - 1n - BigInt(batch.lastOffset()))));
          if (Date.now() - lastCommit >= (opts.commitIntervalMs ?? DEFAULTS.commitIntervalMs) || pending.size >= 5_000 || dead.length >= 1_000) await commitOrFail();
        });
        await heartbeat();
      },
    });
    publish(incarnationState(agg, counters, lag, box));
    supervisor.progress();
    opts.log?.('info', 'resumed from the recorded state', {
      windows: recorded.windows.length, tenants: recorded.tenants.length, connectMs, restoreMs: restoredAt - restoreStarted,
      consumerMs: Date.now() - restoredAt,
      positions: Object.fromEntries([...recorded.positions].map(([p, pos]) => [p, pos.processed.toString()])),
    });

    let stopping: Promise<void> | undefined;
    return {
      done: done.finally(closeAll),
      stop() {
        stopping ??= (async () => {
          if (!box.killed) await run(commit).catch((err) => opts.log?.('error', 'last commit failed', { error: String(err) }));
          await closeAll();
          finish();
        })();
        return stopping;
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
