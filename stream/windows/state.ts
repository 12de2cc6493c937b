import type { CostWindow } from './contract.js';

export interface WindowStats {
  readonly events: number;
  readonly duplicates: number;
  readonly late: number;
  /** Later than the allowed lateness: counted here, not added to any window. */
  readonly tooLate: number;
  /** Window states emitted (first emissions and revisions). */
  readonly emitted: number;
  readonly openWindows: number;
}

/** A held window as recorded for a restart: its sums so far, without the event ids (a replay brings those back). */
export interface WindowState {
  /** `scope/key/window_start_ms`, unique within the tenant. */
  readonly id: string;
  readonly tenant: string;
  readonly window: CostWindow;
  readonly emitted: boolean;
  /** Smallest source position per partition of its events: [partition, offset]. */
  readonly minPosition: readonly (readonly [number, string])[];
}

/** A tenant's event-time clock: its watermark and newest event time per partition. */
export interface TenantClockState {
  readonly tenant: string;
  readonly watermark: number;
  readonly clocks: readonly (readonly [number, number])[];
}

export interface WindowChanges {
  readonly windows: WindowState[];
  readonly tenants: TenantClockState[];
  /** Newest event time read per partition: [partition, ms]. */
  readonly partitions: (readonly [number, number])[];
  /** Windows past their allowed lateness since the last call: final, no longer held. */
  readonly forgotten: { tenant: string; id: string }[];
  readonly stats: WindowStats;
}

/** What `restore()` takes: the recorded windows and clocks, and optionally the counters. */
export interface RestorableState {
  readonly windows: Iterable<WindowState>;
  readonly tenants: Iterable<TenantClockState>;
  readonly partitionTimes?: Iterable<readonly [number, number]>;
  readonly stats?: Partial<WindowStats>;
}
