import { createHash } from 'node:crypto';
import type { RunRecord } from '../../stream/index.js';

/** `auto` looks at the data: time when the runs carry usable launch times, else whole configurations. */
export type SplitMode = 'auto' | 'time' | 'group';

export interface Fold {
  readonly train: number[];
  readonly test: number[];
}

export interface Scheme {
  readonly mode: 'time' | 'group';
  /** Why this scheme, in words, for the log and the card. */
  readonly reason: string;
}

/** The configuration a group split holds out whole: hardware, engine, model and GPU count (or tenant and model for API runs). */
export function configurationKey(r: RunRecord): string {
  const p = r.plan;
  return p.kind === 'self_hosted'
    ? `${p.gpu_type}|${p.framework}|${p.model}|${p.gpu_count}`
    : `${r.tenant_id}|${p.model}`;
}

export function unit(key: string, seed: number): number {
  return createHash('sha256').update(`${seed}:${key}`).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * Chooses the cross-validation scheme. Launch times are usable when at least half the runs launched at distinct
 * instants: then the folds walk forward in time. Otherwise (a benchmark table whose runs share one made-up
 * instant) whole configurations are held out.
 */
export function chooseScheme(
  records: readonly RunRecord[],
  rows: readonly number[],
  mode: SplitMode,
  folds: number,
): Scheme {
  const distinct = new Set(rows.map((i) => records[i].launched_at)).size;
  const usable = distinct >= Math.max(folds + 1, rows.length / 2);
  if (mode === 'time' && !usable)
    return {
      mode: 'time',
      reason: `time, as asked, though only ${distinct} of ${rows.length} runs have distinct launch times`,
    };
  if (mode === 'time') return { mode: 'time', reason: 'time, as asked' };
  if (mode === 'group') return { mode: 'group', reason: 'whole configurations, as asked' };
  return usable
    ? { mode: 'time', reason: `time (${distinct} distinct launch times in ${rows.length} runs)` }
    : {
        mode: 'group',
        reason: `whole configurations (no usable launch times: ${rows.length} runs share ${distinct} launch instant${distinct === 1 ? '' : 's'})`,
      };
}

function byLaunch(records: readonly RunRecord[], rows: readonly number[]): number[] {
  return [...rows].sort((a, b) => records[a].launched_at.localeCompare(records[b].launched_at) || a - b);
}

/**
 * K folds. Group: each configuration goes whole to one fold (seeded hash). Time: the runs in launch order cut
 * into K + 1 blocks; fold k learns from blocks before k and is tested on block k, so no fold sees its future.
 */
export function makeFolds(
  records: readonly RunRecord[],
  rows: readonly number[],
  scheme: Scheme,
  k: number,
  seed = 0,
  key = configurationKey,
): Fold[] {
  if (scheme.mode === 'time') {
    const sorted = byLaunch(records, rows);
    const cut = (b: number) => Math.round((sorted.length * b) / (k + 1));
    return Array.from({ length: k }, (_, f) => ({
      train: sorted.slice(0, cut(f + 1)),
      test: sorted.slice(cut(f + 1), cut(f + 2)),
    }));
  }
  const fold = new Map<string, number>();
  const keys = [...new Set(rows.map((i) => key(records[i])))].sort((a, b) => unit(a, seed) - unit(b, seed));
  // Round-robin over the hash order: every fold gets groups even when there are only a few.
  keys.forEach((g, n) => fold.set(g, n % k));
  return Array.from({ length: k }, (_, f) => ({
    train: rows.filter((i) => fold.get(key(records[i])) !== f),
    test: rows.filter((i) => fold.get(key(records[i])) === f),
  }));
}

/** One fold per value of `key` (an accelerator, a model): each is tested by a model that never saw it. */
export function leaveOneOut(
  records: readonly RunRecord[],
  rows: readonly number[],
  key: (r: RunRecord) => string,
): (Fold & { group: string })[] {
  const groups = [...new Set(rows.map((i) => key(records[i])))].sort();
  return groups.map((group) => ({
    group,
    train: rows.filter((i) => key(records[i]) !== group),
    test: rows.filter((i) => key(records[i]) === group),
  }));
}

/** The rows an inner validation slice takes for early stopping: the newest 15 % in time, else 15 % of the configurations. */
export function validationSplit(
  records: readonly RunRecord[],
  rows: readonly number[],
  scheme: Scheme,
  seed = 0,
): { fit: number[]; valid: number[] } {
  if (scheme.mode === 'time') {
    const sorted = byLaunch(records, rows);
    const cut = Math.round(sorted.length * 0.85);
    return { fit: sorted.slice(0, cut), valid: sorted.slice(cut) };
  }
  const valid = (i: number) => unit(configurationKey(records[i]), seed + 7919) < 0.15;
  const v = rows.filter(valid);
  // Too few configurations to spare 15 %: hold out random runs instead.
  if (v.length < 5 || v.length === rows.length) {
    const w = rows.filter((i) => unit(records[i].run_id, seed + 7919) < 0.15);
    return { fit: rows.filter((i) => unit(records[i].run_id, seed + 7919) >= 0.15), valid: w };
  }
  return { fit: rows.filter((i) => !valid(i)), valid: v };
}
