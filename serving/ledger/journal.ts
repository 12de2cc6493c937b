import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { Change, Entry, Snapshot } from './state.js';
import { LedgerError } from './types.js';

/** The file operations the journal uses; tests pass one that fails like a full disk. */
export type JournalFs = Pick<typeof nodeFs,
  'openSync' | 'writeSync' | 'fdatasync' | 'fsyncSync' | 'ftruncateSync' | 'closeSync' | 'readFileSync' | 'existsSync'
  | 'mkdirSync' | 'renameSync' | 'unlinkSync'>;

/**
 * When an acknowledged change is on disk. `always` (default): each change is fsynced before it is
 * acknowledged (group commit: one fdatasync for every change made while the previous one ran), so it
 * survives a power cut. `never`: the OS writes when it likes; a process crash still loses nothing
 * acknowledged, a power cut may lose the last seconds.
 */
export type FsyncPolicy = 'always' | 'never';

export interface JournalOptions {
  readonly dir: string;
  readonly fs?: JournalFs;
  readonly fsync?: FsyncPolicy;
  /** Fold the journal into the snapshot once it grows past this. */
  readonly compactBytes?: number;
  readonly log?: { warn(msg: string): void; error(msg: string): void };
}

export interface Recovered {
  readonly snapshot?: Snapshot;
  readonly entries: Entry[];
}

const JOURNAL = 'ledger.jsonl';
const SNAPSHOT = 'ledger.snapshot.json';

/** `<json>\t<crc32 hex>\n`: JSON never holds a raw tab, so the last tab splits record from checksum. */
function frame(entry: Entry): Buffer {
  const json = JSON.stringify(entry);
  return Buffer.from(`${json}\t${crc32(json).toString(16).padStart(8, '0')}\n`);
}

function unframe(line: string): Entry | undefined {
  const tab = line.lastIndexOf('\t');
  if (tab < 0) return undefined;
  const json = line.slice(0, tab);
  if (crc32(json).toString(16).padStart(8, '0') !== line.slice(tab + 1)) return undefined;
  try {
    return JSON.parse(json) as Entry;
  } catch {
    return undefined;
  }
}

const unavailable = (why: string, cause?: unknown) => new LedgerError('LEDGER_UNAVAILABLE', `the ledger cannot write (${why}); nothing was changed, retry later`, undefined, cause);

/**
 * The ledger's write-ahead journal: whole records or nothing. A write that fails (a full disk) is cut back
 * to the last whole record and refused; the journal takes writes again when the disk does. A torn tail
 * left by a crash is found at start, cut off and logged; damage before the last good record stops the
 * start instead of being guessed around. The journal is folded into an atomically replaced snapshot at
 * start and whenever it grows past `compactBytes`.
 */
export class Journal {
  private readonly fs: JournalFs;
  private readonly path: string;
  private readonly snapPath: string;
  private fd = -1;
  private length = 0;
  private seq = 0;
  /** Set after a failed write until one succeeds. */
  private degraded?: string;
  /** Set after a failed fsync: the page cache can no longer be trusted, only a restart recovers. */
  private failed?: string;
  private syncing = false;
  private waiting: { resolve(): void; reject(e: unknown): void }[] = [];

  constructor(private readonly opts: JournalOptions) {
    this.fs = opts.fs ?? nodeFs;
    this.path = join(opts.dir, JOURNAL);
    this.snapPath = join(opts.dir, SNAPSHOT);
  }

  get lastSeq(): number {
    return this.seq;
  }

  /** Reads the snapshot and the journal after it, cutting off a torn tail. */
  recover(): Recovered {
    this.fs.mkdirSync(this.opts.dir, { recursive: true });
    let snapshot: Snapshot | undefined;
    if (this.fs.existsSync(this.snapPath)) {
      snapshot = JSON.parse(this.fs.readFileSync(this.snapPath, 'utf8')) as Snapshot;
      if (snapshot.format !== 2 && snapshot.format !== 3) {
        throw new Error(`${this.snapPath}: snapshot format ${snapshot.format} is not one this version reads (2, 3)`);
      }
      this.seq = snapshot.seq;
    }
    const entries: Entry[] = [];
    const bytes = this.fs.existsSync(this.path) ? (this.fs.readFileSync(this.path) as Buffer) : Buffer.alloc(0);
    let good = 0;
    let pos = 0;
    let bad: { at: number; line: number } | undefined;
    let line = 0;
    while (pos < bytes.length) {
      const nl = bytes.indexOf(0x0a, pos);
      line++;
      const entry = nl < 0 ? undefined : unframe(bytes.subarray(pos, nl).toString('utf8'));
      if (!entry) {
        bad ??= { at: pos, line };
        pos = nl < 0 ? bytes.length : nl + 1;
        continue;
      }
      if (bad) throw new Error(`${this.path}: record ${bad.line} (byte ${bad.at}) is damaged and good records follow it; the ledger will not guess. Restore the file or move it away to start empty.`);
      if (entry.seq > this.seq) {
        entries.push(entry);
        this.seq = entry.seq;
      }
      pos = nl + 1;
      good = pos;
    }
    this.fd = this.fs.openSync(this.path, 'a');
    if (good < bytes.length) {
      this.fs.ftruncateSync(this.fd, good);
      this.opts.log?.warn(`${this.path}: cut off a torn tail of ${bytes.length - good} bytes after record ${line - 1} (a write interrupted by a crash or a full disk; it was never acknowledged)`);
    }
    this.length = good;
    return { snapshot, entries };
  }

  /** Writes one change; throws LEDGER_UNAVAILABLE, with the journal unchanged, when it cannot. */
  append(change: Change): Entry {
    if (this.failed) throw unavailable(this.failed);
    const entry = { ...change, seq: this.seq + 1 } as Entry;
    const buf = frame(entry);
    let written = 0;
    try {
      while (written < buf.length) written += this.fs.writeSync(this.fd, buf, written, buf.length - written);
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      try {
        this.fs.ftruncateSync(this.fd, this.length);
        this.degraded = `write failed: ${why}`;
      } catch (cut) {
        this.failed = `write failed (${why}) and the journal could not be cut back (${(cut as NodeJS.ErrnoException).code}); restart the server`;
        this.opts.log?.error(this.failed);
      }
      throw unavailable(`write failed: ${why}`, err);
    }
    if (this.degraded) this.degraded = undefined;
    this.length += buf.length;
    this.seq = entry.seq;
    return entry;
  }

  /** Resolves once every change appended so far is on disk (per the fsync policy). */
  durable(): Promise<void> {
    if (this.failed) return Promise.reject(unavailable(this.failed));
    if (this.opts.fsync === 'never') return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.sync();
    });
  }

  private sync(): void {
    if (this.syncing || !this.waiting.length) return;
    this.syncing = true;
    const batch = this.waiting;
    this.waiting = [];
    this.fs.fdatasync(this.fd, (err) => {
      this.syncing = false;
      if (err) {
        this.failed = `fsync failed (${err.code}): changes since the last good fsync may not be on disk; restart the server`;
        this.opts.log?.error(this.failed);
        const e = unavailable(this.failed, err);
        for (const w of [...batch, ...this.waiting.splice(0)]) w.reject(e);
        return;
      }
      for (const w of batch) w.resolve();
      this.sync();
    });
  }

  get needsCompaction(): boolean {
    return this.length > (this.opts.compactBytes ?? 16 * 1024 * 1024);
  }

  /**
   * Replaces the snapshot by `snap` (which must hold every change appended so far) and empties the journal.
   * Returns false, leaving the journal as it was, when the snapshot cannot be written.
   */
  compact(snap: Snapshot): boolean {
    const tmp = `${this.snapPath}.tmp`;
    try {
      const fd = this.fs.openSync(tmp, 'w');
      try {
        const buf = Buffer.from(JSON.stringify(snap));
        let written = 0;
        while (written < buf.length) written += this.fs.writeSync(fd, buf, written, buf.length - written);
        this.fs.fsyncSync(fd);
      } finally {
        this.fs.closeSync(fd);
      }
      this.fs.renameSync(tmp, this.snapPath);
      const dirFd = this.fs.openSync(this.opts.dir, 'r');
      try { this.fs.fsyncSync(dirFd); } finally { this.fs.closeSync(dirFd); }
    } catch (err) {
      try { this.fs.unlinkSync(tmp); } catch { /* it may not exist */ }
      this.opts.log?.warn(`ledger snapshot not written (${(err as NodeJS.ErrnoException).code ?? err}); the journal keeps growing until it can be`);
      return false;
    }
    this.fs.ftruncateSync(this.fd, 0);
    this.length = 0;
    return true;
  }

  health(): { ready: boolean; reason?: string } {
    const reason = this.failed ?? this.degraded;
    return reason ? { ready: false, reason } : { ready: true };
  }

  /** Why nothing can be trusted any more (a failed fsync), if so. */
  get failure(): string | undefined {
    return this.failed;
  }

  get isDegraded(): boolean {
    return this.degraded !== undefined && this.failed === undefined;
  }

  close(): void {
    if (this.fd >= 0) this.fs.closeSync(this.fd);
    this.fd = -1;
  }
}
