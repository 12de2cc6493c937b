import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import type { Transport, TransportStats } from '../stream/index.js';

const gzip = promisify(gzipCb);

export interface HttpTransportOptions {
  /** The Lutflow server; events go to `POST {endpoint}/telemetry`. */
  readonly endpoint: string;
  readonly apiKey?: string;
  readonly capacity?: number;
  /** Most events in one request (the server takes up to 1,000). */
  readonly batchSize?: number;
  /** Most bytes of JSON in one request before gzip (the server takes up to 1 MiB after gzip is undone). */
  readonly batchBytes?: number;
  readonly flushIntervalMs?: number;
}

const DEFAULTS = { capacity: 10_000, batchSize: 1000, batchBytes: 512 * 1024, flushIntervalMs: 50 };

/** What a request's answer means for its events. */
type Outcome = 'delivered' | 'retry' | 'split' | 'drop';

function outcomeOf(status: number): Outcome {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 413) return 'split';
  // A bad key, a scope the key lacks or a malformed body will not get better by sending it again.
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) return 'drop';
  return 'retry';
}

/**
 * Telemetry to a Lutflow server over HTTP, behind the same interface as the bus: `publish` appends to a
 * bounded buffer; a background loop posts gzip batches bounded by events and bytes. A batch the server
 * finds too large is split and sent again, never dropped; 5xx, 408, 429 and network errors retry with
 * backoff (the server charges each event id once, so a retry cannot double a charge).
 */
export function createHttpTransport(opts: HttpTransportOptions): Transport {
  const o = { ...DEFAULTS, ...opts };
  const url = `${o.endpoint.replace(/\/$/, '')}/telemetry`;
  const buffer: string[] = [];
  const s = { published: 0, delivered: 0, dropped: 0, handlerErrors: 0 };
  let sending: Promise<void> | undefined;
  let backoffMs = 200;

  const post = async (events: readonly string[]): Promise<{ outcome: Outcome; rejected: number; retryAfterMs?: number }> => {
    const body = await gzip(`{"events":[${events.join(',')}]}`);
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json', 'content-encoding': 'gzip',
        ...(o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {}),
      },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    const outcome = outcomeOf(res.status);
    const answer = outcome === 'delivered' ? ((await res.json().catch(() => ({}))) as { rejected?: unknown[] }) : (await res.body?.cancel(), {});
    const retryAfter = Number(res.headers.get('retry-after'));
    return { outcome, rejected: answer.rejected?.length ?? 0, retryAfterMs: retryAfter > 0 ? retryAfter * 1000 : undefined };
  };

  /** The first events of the buffer that fit one request. */
  const nextBatch = (): number => {
    let n = 0, bytes = 0;
    while (n < buffer.length && n < o.batchSize && (n === 0 || bytes + buffer[n].length + 1 <= o.batchBytes)) bytes += buffer[n++].length + 1;
    return n;
  };

  /** Sends `count` events from the front of the buffer, halving on 413; returns false to back off and retry. */
  const send = async (count: number): Promise<boolean> => {
    const r = await post(buffer.slice(0, count));
    if (r.outcome === 'split' && count > 1) {
      const half = Math.ceil(count / 2);
      return (await send(half)) && send(count - half);
    }
    if (r.outcome === 'retry') {
      if (r.retryAfterMs) backoffMs = Math.max(backoffMs, r.retryAfterMs);
      return false;
    }
    buffer.splice(0, count);
    if (r.outcome === 'delivered') {
      s.delivered += count - r.rejected;
      s.dropped += r.rejected;
    } else s.dropped += count;
    return true;
  };

  const loop = async () => {
    while (buffer.length) {
      let ok = false;
      try {
        ok = await send(nextBatch());
      } catch {
        ok = false;
      }
      if (ok) {
        backoffMs = 200;
        continue;
      }
      await new Promise((r) => setTimeout(r, backoffMs));
      backoffMs = Math.min(backoffMs * 2, 10_000);
    }
  };
  const kick = () => {
    sending ??= new Promise<void>((r) => setTimeout(r, o.flushIntervalMs)).then(loop).finally(() => { sending = undefined; });
  };

  return {
    publish(_topic, _key, value) {
      if (buffer.length >= o.capacity) { s.dropped++; return; }
      buffer.push(JSON.stringify(value));
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
