import { useEffect, useState } from 'react';

export interface Polled<T> {
  readonly data?: T;
  readonly error?: Error;
  /** When the shown data arrived. */
  readonly at?: Date;
  readonly reload: () => void;
}

/**
 * Loads now and again every `everyMs` while the page is visible; starts over (showing nothing stale) when
 * `key` changes. A failed refresh keeps the last data and shows the error beside it.
 */
export function usePoll<T>(load: () => Promise<T>, key: string, everyMs = 10_000): Polled<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; at?: Date }>({});
  const [tick, setTick] = useState(0);
  useEffect(() => setState({}), [key]);
  useEffect(() => {
    let alive = true;
    const run = () => load().then(
      (data) => { if (alive) setState({ data, at: new Date() }); },
      (error: Error) => { if (alive) setState((s) => ({ ...s, error })); },
    );
    run();
    const timer = setInterval(() => { if (!document.hidden) run(); }, everyMs);
    return () => { alive = false; clearInterval(timer); };
  }, [key, tick]); // eslint-disable-line react-hooks/exhaustive-deps -- `load` is rebuilt every render; `key` names what it loads
  return { ...state, reload: () => setTick((n) => n + 1) };
}
