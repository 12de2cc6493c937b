import type { EvalReport, KindReport } from '../pcpo/evaluate.js';

/**
 * How much worse than the current model a candidate may be on the held-out slice and still count as "not
 * worse": noise allowance, not a licence to regress. A metric is within tolerance when
 * candidate <= current + max(absolute, relative x current). P90 coverage is judged by its shortfall below the
 * 90 % it promises (a candidate covering 93 % is not worse than one covering 97 %).
 */
export interface Tolerances {
  /** Median APE: percentage points, and a share of the current value. */
  readonly median_ape_points: number;
  readonly median_ape_relative: number;
  readonly mape_points: number;
  readonly mape_relative: number;
  /** Extra shortfall below 90 % P90 coverage allowed, in points. */
  readonly p90_coverage_points: number;
  /** Fewest held-out runs of a kind for that kind to be judged. */
  readonly min_rows: number;
}

export const DEFAULT_TOLERANCES: Tolerances = {
  median_ape_points: 1,
  median_ape_relative: 0.05,
  mape_points: 2,
  mape_relative: 0.05,
  p90_coverage_points: 3,
  min_rows: 30,
};

export interface KindVerdict {
  readonly rows: number;
  readonly candidate: Pick<KindReport, 'median_ape' | 'mape' | 'p90_coverage'>;
  readonly current: Pick<KindReport, 'median_ape' | 'mape' | 'p90_coverage'> | null;
  readonly not_worse: boolean;
  readonly reasons: string[];
}

export interface Verdict {
  readonly promote: boolean;
  readonly reasons: string[];
  readonly by_kind: Partial<Record<'self_hosted' | 'api', KindVerdict>>;
}

const pick = (k: KindReport) => ({ median_ape: k.median_ape, mape: k.mape, p90_coverage: k.p90_coverage });
const shortfall = (coverage: number | null) => Math.max(0, 90 - (coverage ?? 0));

function judgeKind(kind: string, cand: KindReport | undefined, cur: KindReport | undefined, t: Tolerances): KindVerdict | undefined {
  if (!cur && !cand) return undefined;
  if (!cand)
    return { rows: cur!.rows, candidate: { median_ape: null, mape: null, p90_coverage: null }, current: pick(cur!), not_worse: false, reasons: [`${kind}: the candidate predicts none of the ${cur!.rows} held-out runs the current model predicts`] };
  const reasons: string[] = [];
  if (!cur) return { rows: cand.rows, candidate: pick(cand), current: null, not_worse: true, reasons };
  const limit = (c: number, points: number, rel: number) => c + Math.max(points, rel * c);
  const check = (name: string, a: number | null, b: number | null, points: number, rel: number) => {
    if (b === null) return;
    if (a === null || a > limit(b, points, rel))
      reasons.push(`${kind}: ${name} ${a ?? 'n/a'} % against the current model's ${b} % (allowed up to ${limit(b, points, rel).toFixed(2)} %)`);
  };
  check('median APE', cand.median_ape, cur.median_ape, t.median_ape_points, t.median_ape_relative);
  check('MAPE', cand.mape, cur.mape, t.mape_points, t.mape_relative);
  if (shortfall(cand.p90_coverage) > shortfall(cur.p90_coverage) + t.p90_coverage_points)
    reasons.push(`${kind}: P90 coverage ${cand.p90_coverage} % against the current model's ${cur.p90_coverage} % (at most ${t.p90_coverage_points} points further below 90 %)`);
  return { rows: cand.rows, candidate: pick(cand), current: pick(cur), not_worse: reasons.length === 0, reasons };
}

/** Candidate against current on the same held-out runs; promote only if no judged kind is worse. */
export function judge(candidate: EvalReport, current: EvalReport | null, t: Tolerances = DEFAULT_TOLERANCES): Verdict {
  const byKind: Verdict['by_kind'] = {};
  const reasons: string[] = [];
  let judged = 0;
  for (const kind of ['self_hosted', 'api'] as const) {
    const cand = candidate.by_kind[kind], cur = current?.by_kind[kind];
    const rows = Math.max(cand?.rows ?? 0, cur?.rows ?? 0);
    if (rows === 0) continue;
    if (rows < t.min_rows) {
      reasons.push(`${kind}: only ${rows} held-out runs (fewer than ${t.min_rows}); not judged`);
      continue;
    }
    const v = judgeKind(kind, cand, cur, t)!;
    byKind[kind] = v;
    judged++;
    reasons.push(...v.reasons);
  }
  const worse = Object.values(byKind).some((v) => !v.not_worse);
  if (judged === 0) return { promote: false, reasons: [...reasons, 'no run kind had enough held-out runs to judge the candidate'], by_kind: byKind };
  if (!current) return { promote: !worse, reasons: ['no current model: the first candidate is promoted', ...reasons], by_kind: byKind };
  return { promote: !worse, reasons: worse ? reasons : ['not worse than the current model on any judged kind', ...reasons], by_kind: byKind };
}
