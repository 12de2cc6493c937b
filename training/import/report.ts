import type { RunRecord } from '../../stream/index.js';

export interface Rejection {
  /** 1-based line in the source file (the header is line 1). */
  readonly line: number;
  readonly reason: string;
}

export interface ImportResult {
  readonly records: RunRecord[];
  /** Source rows taken into records (an Azure run takes several). */
  readonly rowsTaken: number;
  readonly rejected: Rejection[];
}

/** The summary an importer prints: counts, and each distinct reason with how often and where it first occurred. */
export function summarise(r: ImportResult) {
  const reasons = new Map<string, { count: number; firstLine: number }>();
  for (const { line, reason } of r.rejected) {
    const key = reason.replace(/\d+(\.\d+)?/g, 'N');
    const e = reasons.get(key);
    if (e) e.count++;
    else reasons.set(key, { count: 1, firstLine: line });
  }
  return {
    rows_taken: r.rowsTaken,
    rows_rejected: r.rejected.length,
    runs: r.records.length,
    rejections: [...reasons.entries()].sort((a, b) => b[1].count - a[1].count).map(([reason, e]) => ({ reason, count: e.count, first_line: e.firstLine, example: r.rejected.find((x) => x.line === e.firstLine)?.reason })),
  };
}
