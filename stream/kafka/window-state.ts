import type { Message } from 'kafkajs';
import type { TenantClockState, WindowChanges, WindowState, WindowStats } from '../windows/state.js';

/** Where the window job of a consumer group records its state: one compacted topic per group. */
export function windowStateTopic(groupId: string): string {
  const safe = groupId.replace(/[^a-zA-Z0-9._-]/g, '_');
  return `lut.cost-windows.state.${safe}`.slice(0, 249);
}

/** How far the job got on an input partition: commit `from` (a replay starts there), processed up to `processed`. */
export interface PartitionPosition {
  readonly from: bigint;
  readonly processed: bigint;
  /** Newest event time read on the partition. */
  readonly time?: number;
}

/** Job counters kept across restarts, beside the aggregator's. */
export interface JobCounters {
  windowsPublished: number;
  deadLetters: number;
}

export interface RecordedWindowState {
  readonly windows: WindowState[];
  readonly tenants: TenantClockState[];
  readonly positions: Map<number, PartitionPosition>;
  readonly partitionTimes: [number, number][];
  readonly stats: Partial<WindowStats>;
  readonly counters: JobCounters;
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));

/**
 * The changelog records for one commit: each changed window (or a tombstone for one now final), each
 * changed tenant clock, every partition position and the counters. Keys: `w|tenant|id`, `t|tenant`,
 * `p|partition`, `stats`; the tenant comes first in a key so no two tenants' windows share one.
 */
export function stateMessages(
  changes: WindowChanges,
  positions: ReadonlyMap<number, PartitionPosition>,
  counters: JobCounters,
): Message[] {
  const out: Message[] = [];
  for (const f of changes.forgotten) out.push({ key: `w|${f.tenant}|${f.id}`, value: null });
  for (const w of changes.windows) out.push({ key: `w|${w.tenant}|${w.id}`, value: json(w) });
  for (const t of changes.tenants) out.push({ key: `t|${t.tenant}`, value: json(t) });
  for (const [p, pos] of positions)
    out.push({
      key: `p|${p}`,
      value: json({ from: pos.from.toString(), processed: pos.processed.toString(), time: pos.time }),
    });
  out.push({ key: 'stats', value: json({ ...changes.stats, ...counters }) });
  return out;
}

/** The latest state from the changelog's records (latest value per key, as `readToEnd` returns them). */
export function parseState(records: ReadonlyMap<string, Buffer>): RecordedWindowState {
  const state: RecordedWindowState = {
    windows: [],
    tenants: [],
    positions: new Map(),
    partitionTimes: [],
    stats: {},
    counters: { windowsPublished: 0, deadLetters: 0 },
  };
  for (const [key, value] of records) {
    const v = JSON.parse(value.toString('utf8'));
    if (key.startsWith('w|')) state.windows.push(v as WindowState);
    else if (key.startsWith('t|')) state.tenants.push(v as TenantClockState);
    else if (key.startsWith('p|')) {
      const p = Number(key.slice(2));
      state.positions.set(p, { from: BigInt(v.from), processed: BigInt(v.processed), time: v.time ?? undefined });
      if (typeof v.time === 'number') state.partitionTimes.push([p, v.time]);
    } else if (key === 'stats') {
      Object.assign(state.stats, v);
      state.counters.windowsPublished = v.windowsPublished ?? 0;
      state.counters.deadLetters = v.deadLetters ?? 0;
    }
  }
  return state;
}
