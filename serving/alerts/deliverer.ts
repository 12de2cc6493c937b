import type { AlertWebhook, Ledger } from '../ledger/index.js';
import { deliver } from './webhook.js';

export interface DelivererOptions {
  readonly ledger: Ledger;
  /** Where alerts of a budget without its own webhook go; none: they are listed, not sent. */
  readonly defaultWebhook?: AlertWebhook;
  readonly clock?: () => number;
  /** How often due alerts are looked for (default 1 s). */
  readonly intervalMs?: number;
  /** Attempts before a delivery is given up as failed (default 30: about 4 hours of backoff). */
  readonly maxAttempts?: number;
  readonly log?: { warn(msg: string): void };
}

/** Seconds before attempt n + 1: 1, 2, 4 … capped at 10 minutes. */
export const backoffMs = (attempts: number) => Math.min(2 ** attempts * 1000, 600_000);

/**
 * Sends raised alerts to their webhooks from the ledger's outbox: an alert is durable before it is sent, a
 * failed send is retried with backoff (receiver down, 5xx, timeout) under the same idempotency key, and with
 * several replicas each due alert is claimed by one of them at a time.
 */
export function startAlertDeliverer(opts: DelivererOptions): { stop(): Promise<void>; tick(): Promise<void> } {
  const clock = opts.clock ?? Date.now;
  const maxAttempts = opts.maxAttempts ?? 30;
  let running: Promise<void> | undefined;
  let stopped = false;

  const webhookOf = async (tenant: string): Promise<AlertWebhook | undefined> => {
    const s = await opts.ledger.status(tenant).catch(() => undefined);
    return s?.budget.alert_webhook ?? opts.defaultWebhook;
  };

  const once = async () => {
    for (const a of await opts.ledger.dueAlerts(50)) {
      const hook = await webhookOf(a.tenant_id);
      if (!hook) {
        await opts.ledger.recordDelivery(a.id, { delivered: false, unconfigured: true, error: 'no webhook configured' });
        continue;
      }
      const error = await deliver(a, hook, clock());
      if (error === undefined) {
        await opts.ledger.recordDelivery(a.id, { delivered: true });
        continue;
      }
      const attempts = a.delivery.attempts + 1;
      opts.log?.warn(`alert ${a.id} to ${hook.url}: ${error} (attempt ${attempts})`);
      const retryAt = attempts < maxAttempts ? clock() + backoffMs(attempts) : undefined;
      await opts.ledger.recordDelivery(a.id, { delivered: false, error, retryAt });
    }
  };

  const tick = () => {
    running ??= once()
      .catch((err) => opts.log?.warn(`alert delivery paused: ${(err as Error).message}`))
      .finally(() => { running = undefined; });
    return running;
  };
  const timer = setInterval(() => { if (!stopped) void tick(); }, opts.intervalMs ?? 1000);
  timer.unref();
  return {
    tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
