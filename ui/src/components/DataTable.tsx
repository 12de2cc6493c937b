import type { ReactNode } from 'react';
import { download, toCsv, type Cell } from './csv.js';

export interface Column<T> {
  readonly header: string;
  /** The raw value: what the CSV holds (exact, unformatted). */
  readonly value: (row: T) => Cell;
  /** What people see; the raw value when absent. */
  readonly render?: (row: T) => ReactNode;
  readonly numeric?: boolean;
  /** false: on screen only (a button), not in the CSV. */
  readonly csv?: boolean;
}

interface Props<T> {
  readonly caption: string;
  readonly columns: readonly Column<T>[];
  readonly rows: readonly T[];
  /** The CSV file's name, without `.csv`. */
  readonly name: string;
  readonly empty?: string;
  /** Rows shown; the CSV always has them all. */
  readonly show?: number;
  readonly rowKey?: (row: T, i: number) => string;
}

/** A table with its caption and a CSV download of every row. */
export function DataTable<T>({ caption, columns, rows, name, empty = 'Nothing yet.', show = 50, rowKey }: Props<T>) {
  const csv = () => {
    const cols = columns.filter((c) => c.csv !== false);
    return toCsv(cols.map((c) => c.header), rows.map((r) => cols.map((c) => c.value(r))));
  };
  return (
    <div className="table-wrap" data-table={name}>
      <div className="table-tools">
        <button type="button" className="secondary" onClick={() => download(`${name}.csv`, csv())} disabled={!rows.length}>
          Download CSV<span className="visually-hidden"> of {caption}</span>
        </button>
        {rows.length > show && <span className="muted">showing {show} of {rows.length} rows (the CSV has all)</span>}
      </div>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>{columns.map((c) => <th key={c.header} scope="col" className={c.numeric ? 'num' : undefined}>{c.header}</th>)}</tr>
        </thead>
        <tbody>
          {rows.length === 0 && <tr><td colSpan={columns.length} className="muted">{empty}</td></tr>}
          {rows.slice(0, show).map((r, i) => (
            <tr key={rowKey ? rowKey(r, i) : i}>
              {columns.map((c) => <td key={c.header} className={c.numeric ? 'num' : undefined}>{c.render ? c.render(r) : String(c.value(r) ?? '–')}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
