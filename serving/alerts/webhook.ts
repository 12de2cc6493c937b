import { createHmac } from 'node:crypto';
import type { Alert, AlertWebhook } from '../ledger/index.js';

/** What a receiver gets: a JSON event, or (format `slack`) an incoming-webhook message. */
export function alertPayload(a: Alert, format: AlertWebhook['format'] = 'json'): string {
  if (format === 'slack') return JSON.stringify({ text: `:rotating_light: Lutflow ${a.kind} alert: ${a.message}` });
  return JSON.stringify({
    id: a.id, type: `budget.${a.kind}`, tenant_id: a.tenant_id, subject: a.subject,
    window_start: a.window_start > 0 ? new Date(a.window_start).toISOString() : null, at: new Date(a.at).toISOString(),
    spent_micros: a.spent_micros, limit_micros: a.limit_micros, spent_usd: a.spent_micros / 1e6, limit_usd: a.limit_micros / 1e6,
    message: a.message,
  });
}

/**
 * `x-lutflow-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the webhook secret>`. A receiver
 * recomputes it, compares in constant time, and refuses a `t` older than a few minutes (a replayed delivery).
 */
export function signature(secret: string, body: string, unixSeconds: number): string {
  return `t=${unixSeconds},v1=${createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex')}`;
}

/** POSTs one alert; resolves to an error message, or undefined when the receiver took it (2xx). */
export async function deliver(a: Alert, hook: AlertWebhook, now: number): Promise<string | undefined> {
  const body = alertPayload(a, hook.format);
  const headers: Record<string, string> = {
    'content-type': 'application/json', 'user-agent': 'lutflow-alerts', 'x-lutflow-event': `budget.${a.kind}`,
    // The same key on every attempt: a receiver that saw it already can answer 2xx and do nothing.
    'idempotency-key': a.id,
  };
  if (hook.secret) headers['x-lutflow-signature'] = signature(hook.secret, body, Math.floor(now / 1000));
  try {
    const res = await fetch(hook.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
    await res.body?.cancel();
    return res.ok ? undefined : `HTTP ${res.status}`;
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return e.cause?.code ?? e.message;
  }
}
