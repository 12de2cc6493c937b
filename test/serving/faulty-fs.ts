import * as fs from 'node:fs';
import { join } from 'node:path';
import type { JournalFs } from '../../serving/index.js';

/**
 * node:fs on a "disk" of `capacity` bytes: the files in `dir` may not grow past it. A write beyond it writes
 * what fits, then fails with ENOSPC, as a full disk does; truncating or deleting frees space again. Set
 * `syncFails` to make fdatasync fail with EIO. `capacity` may be changed at any time (a disk filled or freed
 * by someone else).
 */
export function faultyFs(dir: string, capacity: number): JournalFs & { capacity: number; syncFails: boolean } {
  const state = { capacity, syncFails: false };
  const used = () => fs.readdirSync(dir).reduce((n, f) => n + fs.statSync(join(dir, f)).size, 0);
  const writeSync = ((fd: number, buf: Buffer, offset = 0, length = buf.length - offset) => {
    const free = state.capacity - used();
    if (free <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 });
    return fs.writeSync(fd, buf, offset, Math.min(length, free));
  }) as typeof fs.writeSync;
  const fdatasync = ((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
    if (state.syncFails) return setImmediate(() => cb(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' })));
    fs.fdatasync(fd, cb);
  }) as typeof fs.fdatasync;
  return Object.assign(state, {
    openSync: fs.openSync, writeSync, fdatasync, fsyncSync: fs.fsyncSync, ftruncateSync: fs.ftruncateSync, closeSync: fs.closeSync,
    readFileSync: fs.readFileSync, existsSync: fs.existsSync, mkdirSync: fs.mkdirSync, renameSync: fs.renameSync, unlinkSync: fs.unlinkSync,
  });
}
