import type { Transport, TransportStats } from '../stream/index.js';

export interface HttpTransportOptions {
  /** The Lutflow server; events go to `POST {endpoint}/telemetry`. */
  readonly endpoint: string;
  readonly apiKey?: string;
  readonly capacity?: number;
  readonly batchSize?: number;
  readonly flushIntervalMs?: number;
}

/**
 * Telemetry to a Lutflow server over HTTP, behind the same interface as the bus: `publish` appends to a
 * bounded buffer, a background loop posts batches, and a failed post keeps its events for the next try.
 */
export function createHttpTransport(opts: HttpTransportOptions): Transport {
  const capacity = opts.capacity ?? 10_000;
  const batchSize = opts.batchSize ?? 500;
  const url = `${opts.endpoint.replace(/\/$/, '')}/telemetry`;
  const buffer: unknown[] = [];
  const s = { published: 0, delivered: 0, dropped: 0, handlerErrors: 0 };
  let sending: Promise<void> | undefined;
  let backoffMs = 200;

  const post = async (events: unknown[]) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}) },
      body: JSON.stringify({ events }),
      signal: AbortSignal.timeout(10_000),
    });
    // A 4xx will not get better by retrying (bad key, scope, body): drop and count; 5xx and network errors retry.
    if (res.status >= 400 && res.status < 500) { s.dropped += events.length; return; }
    if (!res.ok) throw new Error(`telemetry: ${res.status}`);
    s.delivered += events.length;
  };

  const loop = async () => {
    while (buffer.length) {
      const batch = buffer.slice(0, batchSize);
      try {
        await post(batch);
        buffer.splice(0, batch.length);
        backoffMs = 200;
      } catch {
        await new Promise((r) => setTimeout(r, backoffMs));
        backoffMs = Math.min(backoffMs * 2, 10_000);
      }
    }
  };
  const kick = () => {
    sending ??= new Promise<void>((r) => setTimeout(r, opts.flushIntervalMs ?? 50)).then(loop).finally(() => { sending = undefined; });
  };

  return {
    publish(_topic, _key, value) {
      if (buffer.length >= capacity) { s.dropped++; return; }
      buffer.push(value);
      s.published++;
      kick();
    },
    subscribe() {
      throw new Error('the HTTP transport only sends; subscribe on the server side (or use the bus or Kafka)');
    },
    async flush(timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      while ((buffer.length || sending) && Date.now() < until) { kick(); await sending; }
    },
    async close() {
      await this.flush(5_000);
    },
    stats: (): TransportStats => ({ ...s, buffered: buffer.length }),
  };
}
