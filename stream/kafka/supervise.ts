/** Where a long-lived job reports what happens to it: JSON log lines in the CLI. */
export type JobLog = (level: 'error' | 'warn' | 'info', message: string, fields?: Record<string, unknown>) => void;

/** One run of a job with fresh clients and state; `done` resolves when stopped and rejects when it cannot go on. */
export interface Incarnation {
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

/** An error a restart cannot fix (a full disk, a fenced producer, corrupt data): the job stops at once. */
export class FatalJobError extends Error {
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'FatalJobError';
  }
}

const FATAL_CODES = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM']);

export function isFatal(err: unknown): boolean {
  if (err instanceof FatalJobError) return true;
  const e = err as { code?: string; type?: string; cause?: unknown } | undefined;
  if (e?.code && FATAL_CODES.has(e.code)) return true;
  if (
    e?.type === 'INVALID_PRODUCER_EPOCH' ||
    e?.type === 'PRODUCER_FENCED' ||
    e?.type === 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED'
  )
    return true;
  return e?.cause !== undefined && e.cause !== err ? isFatal(e.cause) : false;
}

export interface SuperviseOptions {
  readonly name: string;
  readonly log?: JobLog;
  /** Give up (reject `done`) after this long without progress. */
  readonly giveUpAfterMs?: number;
  readonly maxBackoffMs?: number;
}

export interface Supervisor {
  /** Resolves after `stop()`; rejects when the job cannot go on (fatal error, or no progress for too long). */
  readonly done: Promise<void>;
  readonly restarts: number;
  /** The job calls this whenever it made progress (committed something, or caught up). */
  progress(): void;
  stop(): Promise<void>;
}

/**
 * Runs a job, and after a failure starts it again with new clients and state read back from where it was
 * recorded, with a growing pause; a fatal error, or no progress for `giveUpAfterMs`, ends it for good so
 * that the process exits non-zero and its own supervisor (systemd, Kubernetes) takes over.
 */
export function supervise(start: (s: Supervisor) => Promise<Incarnation>, opts: SuperviseOptions): Supervisor {
  const giveUpAfterMs = opts.giveUpAfterMs ?? 120_000;
  const maxBackoffMs = opts.maxBackoffMs ?? 5_000;
  let current: Incarnation | undefined;
  let stopped = false;
  let lastProgress = Date.now();
  let restarts = 0;
  let wake: (() => void) | undefined;

  const s: Supervisor = {
    done: undefined as never,
    get restarts() {
      return restarts;
    },
    progress() {
      lastProgress = Date.now();
    },
    async stop() {
      stopped = true;
      wake?.();
      await current?.stop();
      await s.done.catch(() => {});
    },
  };
  const loop = async () => {
    let backoff = 250;
    for (;;) {
      const before = lastProgress;
      try {
        current = await start(s);
        if (stopped) {
          await current.stop();
          return;
        }
        await current.done;
        if (stopped) return;
        throw new Error(`${opts.name} ended on its own`);
      } catch (err) {
        current = undefined;
        if (stopped) return;
        const quiet = Date.now() - lastProgress;
        if (isFatal(err) || quiet > giveUpAfterMs) {
          const why = isFatal(err) ? 'fatal error' : `no progress for ${Math.round(quiet / 1000)} s`;
          opts.log?.('error', `${opts.name} stopped: ${why}`, { error: String((err as Error)?.message ?? err) });
          throw err;
        }
        // A run that got somewhere earns a quick restart; one that fails at once waits longer each time.
        if (lastProgress > before) backoff = 250;
        restarts++;
        opts.log?.('warn', `${opts.name} failed; restarting from its recorded state in ${backoff} ms`, {
          error: String((err as Error)?.message ?? err),
          restarts,
        });
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, backoff);
        });
        if (stopped) return;
        backoff = Math.min(backoff * 2, maxBackoffMs);
      }
    }
  };
  (s as { done: Promise<void> }).done = loop();
  return s;
}

/** Runs async steps one at a time, in the order they were queued. */
export function serial(): <T>(step: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (step) => {
    const run = tail.then(step, step);
    tail = run.catch(() => {});
    return run;
  };
}
