import type { ReactNode } from 'react';

export function Card({ title, note, children, wide }: { title: string; note?: ReactNode; children: ReactNode; wide?: boolean }) {
  const id = `card-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section className={wide ? 'card wide' : 'card'} aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {note && <p className="note">{note}</p>}
      {children}
    </section>
  );
}

/** One headline figure; `name` lets tests and scripts find it (data-kpi). */
export function Kpi({ label, value, detail, name }: { label: string; value: ReactNode; detail?: ReactNode; name: string }) {
  return (
    <div className="kpi" data-kpi={name}>
      <div className="kpi-label">{label}</div>
      <div className="kpi-value">{value}</div>
      {detail && <div className="kpi-detail">{detail}</div>}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return <p className="muted" role="status">Loading {what}…</p>;
}

export function Failure({ error, what }: { error: Error; what: string }) {
  return <p className="error" role="alert">Could not load {what}: {error.message}</p>;
}

/** A chart's box: a labelled figure for screen readers (the table beside it holds the same figures). */
export function ChartBox({ label, children, height = 260 }: { label: string; children: ReactNode; height?: number }) {
  return <figure className="chart" role="img" aria-label={label} style={{ height }}>{children}</figure>;
}
