import { createHash } from 'node:crypto';
import type { RunRecord } from '../../stream/index.js';

export type SplitMode = 'time' | 'group';

export interface Split {
  readonly train: number[];
  readonly valid: number[];
  readonly calibration: number[];
  readonly test: number[];
}

export interface SplitOptions {
  readonly mode: SplitMode;
  readonly seed?: number;
  /** Every run on this catalog GPU goes to test: an accelerator the model never trains on. */
  readonly holdoutGpu?: string;
}

/** The configuration a group split holds out whole: hardware, engine, model and GPU count (or tenant and model for API runs). */
export function configurationKey(r: RunRecord): string {
  const p = r.plan;
  return p.kind === 'self_hosted' ? `${p.gpu_type}|${p.framework}|${p.model}|${p.gpu_count}` : `${r.tenant_id}|${p.model}`;
}

function unit(key: string, seed: number): number {
  return createHash('sha256').update(`${seed}:${key}`).digest().readUInt32BE(0) / 2 ** 32;
}

const FRACTIONS = { test: 0.15, calibration: 0.15, valid: 0.1 };

/**
 * Splits row indexes without leakage. `time`: the oldest 60 % train, then validation (early stopping),
 * calibration (conformal P90) and test, in launch order. `group`: whole configurations go to one part,
 * chosen by a seeded hash, so the test holds configurations the model never saw.
 */
export function splitRows(records: readonly RunRecord[], rows: readonly number[], opts: SplitOptions): Split {
  const s: Split = { train: [], valid: [], calibration: [], test: [] };
  const seed = opts.seed ?? 0;
  const pool: number[] = [];
  for (const i of rows) {
    if (opts.holdoutGpu && records[i].plan.gpu_type === opts.holdoutGpu) s.test.push(i);
    else pool.push(i);
  }
  if (opts.mode === 'time') {
    const sorted = [...pool].sort((a, b) => records[a].launched_at.localeCompare(records[b].launched_at) || a - b);
    const n = sorted.length;
    const cTest = Math.round(n * (1 - FRACTIONS.test)), cCal = Math.round(n * (1 - FRACTIONS.test - FRACTIONS.calibration)), cValid = Math.round(n * (1 - FRACTIONS.test - FRACTIONS.calibration - FRACTIONS.valid));
    sorted.forEach((i, k) => (k >= cTest ? s.test : k >= cCal ? s.calibration : k >= cValid ? s.valid : s.train).push(i));
    return s;
  }
  const testShare = opts.holdoutGpu ? 0 : FRACTIONS.test;
  for (const i of pool) {
    const u = unit(configurationKey(records[i]), seed);
    (u < testShare ? s.test : u < testShare + FRACTIONS.calibration ? s.calibration : u < testShare + FRACTIONS.calibration + FRACTIONS.valid ? s.valid : s.train).push(i);
  }
  return s;
}
