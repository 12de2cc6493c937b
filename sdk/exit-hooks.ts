const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** How long a signal waits for the last telemetry before the process goes down as the signal asked. */
const SIGNAL_FLUSH_MS = 2_000;

/**
 * Runs `end` when the process ends with work still open: on `exit` (synchronous part only), and on
 * SIGINT / SIGTERM / SIGHUP, which would otherwise end the process without any `exit` event. When no
 * one else listens to the signal, it is raised again after `flush` (bounded), so the process still
 * ends as the signal asked. Returns the uninstaller.
 */
export function onProcessEnd(end: () => void, flush: () => Promise<void>): () => void {
  const onExit = () => end();
  const onSignal = (signal: NodeJS.Signals) => {
    end();
    if (process.listenerCount(signal) > 1) return;
    uninstall();
    const timeout = new Promise((r) => setTimeout(r, SIGNAL_FLUSH_MS).unref());
    void Promise.race([flush().catch(() => {}), timeout]).then(() => process.kill(process.pid, signal));
  };
  const uninstall = () => {
    process.removeListener('exit', onExit);
    for (const s of SIGNALS) process.removeListener(s, onSignal);
  };
  process.on('exit', onExit);
  for (const s of SIGNALS) process.on(s, onSignal);
  return uninstall;
}
