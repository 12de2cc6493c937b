import { Worker } from 'node:worker_threads';

/** Running GPU timers the watchdog can price on its own; more stop being watched (the main thread still is). */
const SLOTS = 64;
/** Per slot: start (epoch µs), µ$ per hour, µ$ already charged by the main thread, in use (0/1). */
const SLOT_FIELDS = 4;

/**
 * SELF_KILL that does not need the main thread: a worker thread reads the spend and the running GPU
 * timers from shared memory, prices the timers itself every tick, and sends SIGKILL the moment spend
 * passes the limit, even while the main thread is blocked (a long synchronous loop, a native call).
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { shared, slots, fields, tickMs } = workerData;
const a = new BigInt64Array(shared);
const now = () => BigInt(Math.floor((performance.timeOrigin + performance.now()) * 1000));
setInterval(() => {
  let spend = Atomics.load(a, 0);
  const t = now();
  for (let i = 0; i < slots; i++) {
    const o = 2 + i * fields;
    if (Atomics.load(a, o + 3) !== 1n) continue;
    const elapsedMs = (t - Atomics.load(a, o)) / 1000n;
    const due = (elapsedMs * Atomics.load(a, o + 1) + 1800000n) / 3600000n;
    const charged = Atomics.load(a, o + 2);
    if (due > charged) spend += due - charged;
  }
  if (spend > Atomics.load(a, 1)) process.kill(process.pid, 'SIGKILL');
}, tickMs);
`;

export class Watchdog {
  private readonly a: BigInt64Array;
  private readonly worker: Worker;
  private readonly free: number[] = [];

  constructor(limitMicros: number, tickMs: number) {
    const shared = new SharedArrayBuffer(8 * (2 + SLOTS * SLOT_FIELDS));
    this.a = new BigInt64Array(shared);
    Atomics.store(this.a, 1, BigInt(limitMicros));
    for (let i = SLOTS - 1; i >= 0; i--) this.free.push(i);
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { shared, slots: SLOTS, fields: SLOT_FIELDS, tickMs } });
    this.worker.unref();
  }

  spent(micros: number): void {
    Atomics.store(this.a, 0, BigInt(micros));
  }

  /** Watches a running timer; returns its slot (or -1 when all are taken). */
  watch(startedEpochMs: number, microsPerHour: number): number {
    const i = this.free.pop();
    if (i === undefined) return -1;
    const o = 2 + i * SLOT_FIELDS;
    Atomics.store(this.a, o, BigInt(Math.floor(startedEpochMs * 1000)));
    Atomics.store(this.a, o + 1, BigInt(microsPerHour));
    Atomics.store(this.a, o + 2, 0n);
    Atomics.store(this.a, o + 3, 1n);
    return i;
  }

  /** What the main thread has charged of a watched timer, so the worker does not count it twice. */
  charged(slot: number, micros: number): void {
    if (slot >= 0) Atomics.store(this.a, 2 + slot * SLOT_FIELDS + 2, BigInt(micros));
  }

  unwatch(slot: number): void {
    if (slot < 0) return;
    Atomics.store(this.a, 2 + slot * SLOT_FIELDS + 3, 0n);
    this.free.push(slot);
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}
