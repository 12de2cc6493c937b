import { CompressionTypes, type Admin, type Batch, type Consumer, type Message, type Producer } from 'kafkajs';
import { toDeadLetter } from '../contracts/dead-letters.js';
import { decode } from '../contracts/validate.js';
import { deadLetterTopic, TOPICS } from '../topics.js';
import { CostWindowAggregator } from '../windows/aggregator.js';
import type { CostWindow } from '../windows/contract.js';
import { chunkMessages } from './chunks.js';
import { readToEnd } from './read-topic.js';
import { serial, type Incarnation, type Supervisor } from './supervise.js';
import { changelogSpec, ensureTopics, TOPIC_SPECS } from './topics.js';
import {
  parseState,
  stateMessages,
  type JobCounters,
  type PartitionPosition,
  type RecordedWindowState,
} from './window-state.js';
import type { CostWindowJobStats, KafkaCostWindowsOptions } from './windows.js';

export interface WindowJobConfig extends KafkaCostWindowsOptions {
  readonly groupId: string;
  readonly stateTopic: string;
  readonly commitIntervalMs: number;
  readonly idleTimeoutMs: number;
}

/** One run of the window job: its stats, and a kill that stops it committing anything more. */
export interface WindowJobRun extends Incarnation {
  stats(): Omit<CostWindowJobStats, 'restarts'>;
  kill(): void;
}

/** The consumer's long poll: also the tick of the idle clock and of commits. */
const MAX_WAIT_MS = 250;
/**
 * A killed job's consumer stays in the group until this runs out, and its successor's join waits for
 * that: the broker's smallest allowed session timeout (group.min.session.timeout.ms, 6 s by default).
 */
const SESSION_TIMEOUT_MS = 6_000;
/** Commit early when this much is waiting. */
const MAX_PENDING_WINDOWS = 5_000;
const MAX_PENDING_LETTERS = 1_000;

const windowKey = (w: CostWindow) => `${w.scope}/${w.key}/${w.window_start}`;

/**
 * Starts one run of the window job with new clients: creates the topics it needs, fences older runs
 * (the transactional id), reads the recorded state back and consumes from the committed offsets.
 */
export async function startWindowJob(config: WindowJobConfig, supervisor: Supervisor): Promise<WindowJobRun> {
  const admin = config.kafka.admin({ retry: { retries: 2 } });
  // The transactional id fences any older run of this job; its open transaction is aborted on connect.
  const producer = config.kafka.producer({
    transactionalId: `lutflow-windows/${config.groupId}`,
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    transactionTimeout: 60_000,
  });
  let run: Run | undefined;
  try {
    await admin.connect();
    await ensureTopics(admin, [...TOPIC_SPECS, changelogSpec(config.stateTopic)]);
    const started = Date.now();
    await producer.connect();
    const connected = Date.now();
    const recorded = parseState(await readToEnd(config.kafka, config.stateTopic));
    run = new Run(config, supervisor, admin, producer, recorded);
    await run.start();
    config.log?.('info', 'resumed from the recorded state', {
      windows: recorded.windows.length,
      tenants: recorded.tenants.length,
      connectMs: connected - started,
      restoreMs: run.startedAt - connected - run.consumerMs,
      consumerMs: run.consumerMs,
      positions: Object.fromEntries([...recorded.positions].map(([p, pos]) => [p, pos.processed.toString()])),
    });
    return run;
  } catch (err) {
    await run?.close();
    await producer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
    throw err;
  }
}

class Run implements WindowJobRun {
  readonly done: Promise<void>;
  startedAt = 0;
  consumerMs = 0;
  private readonly agg: CostWindowAggregator;
  private readonly pending = new Map<string, CostWindow>();
  private dead: Message[] = [];
  private readonly counters: JobCounters;
  /** Per partition: the last offset processed, the offset last committed, the newest event time read, the lag. */
  private readonly processed: Map<number, bigint>;
  private readonly committedFrom: Map<number, bigint>;
  private readonly times: Map<number, number>;
  private readonly lag = new Map<number, number>();
  private readonly box = { commits: 0, rebuilt: 0 };
  private killed = false;
  private dirty = false;
  private lastCommit = Date.now();
  private lastFetch = 0;
  private assigned: number[] | undefined;
  private poll: NodeJS.Timeout | undefined;
  private consumer: Consumer | undefined;
  private stopping: Promise<void> | undefined;
  private readonly serial = serial();
  private reject!: (err: unknown) => void;
  private resolve!: () => void;

  constructor(
    private readonly config: WindowJobConfig,
    private readonly supervisor: Supervisor,
    private readonly admin: Admin,
    private readonly producer: Producer,
    recorded: RecordedWindowState,
  ) {
    this.agg = new CostWindowAggregator({ ...config, emit: (w) => this.pending.set(windowKey(w), w) });
    this.agg.restore(recorded);
    this.counters = { ...recorded.counters };
    this.processed = new Map([...recorded.positions].map(([p, pos]) => [p, pos.processed]));
    this.committedFrom = new Map([...recorded.positions].map(([p, pos]) => [p, pos.from]));
    this.times = new Map(recorded.partitionTimes);
    const done = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.done = done.finally(() => this.close());
  }

  stats() {
    return { ...this.agg.stats(), ...this.counters, ...this.box, lag: Object.fromEntries(this.lag) };
  }

  kill(): void {
    this.killed = true;
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (!this.killed)
        await this.serial(() => this.commit()).catch((err) =>
          this.config.log?.('error', 'last commit failed', { error: String(err) }),
        );
      await this.close();
      this.resolve();
    })();
    return this.stopping;
  }

  /** Any failure ends this run: what it holds in memory may be ahead of what was committed. */
  private fail = (err: unknown) => {
    this.killed = true;
    this.reject(err);
  };

  async start(): Promise<void> {
    const t = Date.now();
    await this.refreshLag();
    this.poll = setInterval(() => {
      this.refreshLag().catch(() => {});
    }, 500);
    const c = this.config.kafka.consumer({
      groupId: this.config.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: SESSION_TIMEOUT_MS,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: MAX_WAIT_MS,
      retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2000, restartOnFailure: async () => false },
    });
    this.consumer = c;
    c.on(c.events.CRASH, ({ payload }) => this.fail(payload.error));
    c.on(c.events.GROUP_JOIN, ({ payload }) => this.joined(payload.memberAssignment[TOPICS.telemetry] ?? []));
    c.on(c.events.FETCH, () => this.fetched());
    await c.connect();
    await c.subscribe({ topic: TOPICS.telemetry, fromBeginning: true });
    await c.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }) => {
        await this.serial(() => this.handle(batch));
        await heartbeat();
      },
    });
    this.startedAt = Date.now();
    this.consumerMs = this.startedAt - t;
  }

  async close(): Promise<void> {
    clearInterval(this.poll);
    await this.consumer?.disconnect().catch(() => {});
    await this.producer.disconnect().catch(() => {});
    await this.admin.disconnect().catch(() => {});
  }

  private async handle(batch: Batch): Promise<void> {
    if (this.killed) return;
    const p = batch.partition;
    for (const m of batch.messages) {
      const offset = BigInt(m.offset);
      const bytes = m.value ?? Buffer.alloc(0);
      const v = decode(TOPICS.telemetry, bytes);
      if (offset <= (this.processed.get(p) ?? -1n)) {
        // Counted before the restart: only the id comes back; its dead letter went out then.
        if (v.ok) {
          this.agg.rebuild(v.value);
          this.box.rebuilt++;
        }
        continue;
      }
      if (v.ok) this.agg.add(v.value, { partition: p, offset });
      else {
        const source = { topic: TOPICS.telemetry, bytes, key: m.key?.toString('utf8'), partition: p, offset: m.offset };
        const letter = toDeadLetter(source, v.errors);
        this.dead.push({ key: letter.key ?? null, value: JSON.stringify(letter) });
      }
      this.processed.set(p, offset);
      this.dirty = true;
    }
    this.setLag(p, Number(BigInt(batch.highWatermark) - 1n - BigInt(batch.lastOffset())));
    const due = Date.now() - this.lastCommit >= this.config.commitIntervalMs;
    if (due || this.pending.size >= MAX_PENDING_WINDOWS || this.dead.length >= MAX_PENDING_LETTERS)
      await this.commit().catch(this.fail);
  }

  /** State is per job, not per partition: another assignment means reading it back from the changelog. */
  private joined(partitions: number[]): void {
    const now = [...partitions].sort((a, b) => a - b);
    if (this.assigned && now.join() !== this.assigned.join())
      this.fail(new Error(`partitions reassigned (${this.assigned.join(',')} → ${now.join(',')})`));
    this.assigned = now;
  }

  /** Each fetch ticks the idle clock of the partitions read to their end, and commits when due. */
  private fetched(): void {
    const now = Date.now();
    const gap = this.lastFetch ? now - this.lastFetch : 0;
    this.lastFetch = now;
    void this.serial(async () => {
      // Idle time counts only while reads succeed: a gap means the broker was away.
      if (gap > 0 && gap < 4 * MAX_WAIT_MS + 1000) {
        for (const p of this.assigned ?? []) if ((this.lag.get(p) ?? 0) === 0) this.agg.idle(p, gap);
      }
      if (![...this.lag.values()].some((l) => l > 0)) this.supervisor.progress();
      if (Date.now() - this.lastCommit >= this.config.commitIntervalMs) await this.commit();
    }).catch(this.fail);
  }

  private setLag(p: number, n: number): void {
    this.lag.set(p, Math.max(0, n));
    this.agg.setLagging(new Set([...this.lag].filter(([, l]) => l > 0).map(([q]) => q)));
  }

  /** Exact lag from the end offsets: a partition with unread records holds every tenant's watermark back. */
  private async refreshLag(): Promise<void> {
    const ends = await this.admin.fetchTopicOffsets(TOPICS.telemetry);
    await this.serial(async () => {
      for (const e of ends) {
        const next = this.processed.has(e.partition) ? this.processed.get(e.partition)! + 1n : BigInt(e.low);
        this.setLag(e.partition, Number(BigInt(e.high) - next));
      }
    });
  }

  /** One transaction: the windows emitted, the dead letters, the state changes and the offsets. */
  private async commit(): Promise<void> {
    if (this.killed) return;
    const changes = this.agg.takeChanges();
    for (const [p, t] of changes.partitions) this.times.set(p, t);
    const held = this.agg.heldPositions();
    const positions = new Map<number, PartitionPosition>();
    for (const [p, last] of this.processed)
      positions.set(p, { from: held.get(p) ?? last + 1n, processed: last, time: this.times.get(p) });
    const moved = [...positions].some(([p, pos]) => this.committedFrom.get(p) !== pos.from);
    const changed = changes.windows.length || changes.tenants.length || changes.forgotten.length;
    if (!this.dirty && !moved && !this.pending.size && !this.dead.length && !changed) return;
    const outputs: Message[] = [...this.pending.values()].map((w) => ({ key: windowKey(w), value: JSON.stringify(w) }));
    const letters = this.dead;
    const counted = {
      windowsPublished: this.counters.windowsPublished + outputs.length,
      deadLetters: this.counters.deadLetters + letters.length,
    };
    const tx = await this.producer.transaction();
    try {
      const send = async (topic: string, messages: Message[]) => {
        for (const chunk of chunkMessages(messages))
          await tx.send({ topic, compression: CompressionTypes.Snappy, messages: chunk });
      };
      await send(TOPICS.costWindows, outputs);
      await send(deadLetterTopic(TOPICS.telemetry), letters);
      await send(this.config.stateTopic, stateMessages(changes, positions, counted));
      const partitions = [...positions].map(([partition, pos]) => ({ partition, offset: pos.from.toString() }));
      if (partitions.length)
        await tx.sendOffsets({
          consumerGroupId: this.config.groupId,
          topics: [{ topic: TOPICS.telemetry, partitions }],
        });
      if (this.killed) throw new Error('killed');
      await tx.commit();
    } catch (err) {
      await tx.abort().catch(() => {});
      throw err;
    }
    // Only now, with the broker's acknowledgement, do the windows and dead letters leave memory.
    this.pending.clear();
    this.dead = [];
    this.dirty = false;
    Object.assign(this.counters, counted);
    for (const [p, pos] of positions) this.committedFrom.set(p, pos.from);
    this.box.commits++;
    this.lastCommit = Date.now();
    this.supervisor.progress();
  }
}
