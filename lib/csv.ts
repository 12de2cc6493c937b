/** A small RFC 4180 CSV reader: quoted fields, doubled quotes, CRLF. Rows come back keyed by header. */
export interface CsvRow {
  /** 2-based line number of the row in its file (the header is line 1), for error messages. */
  readonly line: number;
  readonly values: Record<string, string>;
}

export function parseCsvLines(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); field = '';
      rows.push(row); row = [];
    } else field += c;
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

/** Parses CSV text with a header line; throws naming the missing columns when `required` are absent. */
export function parseCsv(text: string, required: readonly string[] = [], what = 'CSV'): { header: string[]; rows: CsvRow[] } {
  const lines = parseCsvLines(text);
  if (lines.length === 0) throw new Error(`${what}: empty file, expected a header line`);
  const header = lines[0].map((h) => h.trim().replace(/^\uFEFF/, ''));
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length) throw new Error(`${what}: missing column(s) ${missing.join(', ')}; found ${header.join(', ')}`);
  const rows = lines.slice(1).map((cells, i) => {
    const values: Record<string, string> = {};
    header.forEach((h, j) => { values[h] = (cells[j] ?? '').trim(); });
    return { line: i + 2, values };
  });
  return { header, rows };
}
