/** What the SDK, serving and consumers publish through; the embedded bus and Kafka implement it alike. */
export interface Transport {
  /** Never blocks and never throws: a full buffer drops the message and counts it (false when dropped). */
  publish(topic: string, key: string | undefined, value: unknown): void | boolean;
  /**
   * Back-pressure for bursts: waits (at most `timeoutMs`) for room in the buffer, then publishes.
   * Resolves false only when the buffer stayed full that long (the message is then dropped and counted).
   */
  publishAsync?(topic: string, key: string | undefined, value: unknown, timeoutMs?: number): Promise<boolean>;
  subscribe(topic: string, handler: (value: unknown, key: string | undefined) => void | Promise<void>): () => void;
  /** Resolves once everything published so far has been delivered (or dropped). */
  flush(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
  stats(): TransportStats;
}

export interface TransportStats {
  readonly published: number;
  readonly delivered: number;
  readonly dropped: number;
  readonly handlerErrors: number;
  readonly buffered: number;
  /** `publishAsync` calls that had to wait for room. */
  readonly waited?: number;
}

export interface EmbeddedBusOptions {
  /** Messages held before new ones are dropped (and counted). */
  readonly capacity?: number;
}

/**
 * The embedded default: an in-process bus. Publishing enqueues and returns; delivery happens on a
 * later turn of the event loop, so a slow or failing subscriber never delays or fails the publisher.
 */
export function createEmbeddedBus(opts: EmbeddedBusOptions = {}): Transport & Required<Pick<Transport, 'publishAsync'>> {
  const capacity = opts.capacity ?? 10_000;
  const subscribers = new Map<string, Set<(value: unknown, key: string | undefined) => void | Promise<void>>>();
  const queue: { topic: string; key: string | undefined; value: unknown }[] = [];
  let head = 0;
  let scheduled = false;
  let draining: Promise<void> = Promise.resolve();
  const s = { published: 0, delivered: 0, dropped: 0, handlerErrors: 0, waited: 0 };

  const drain = async () => {
    while (head < queue.length) {
      const m = queue[head++];
      for (const h of subscribers.get(m.topic) ?? []) {
        try {
          await h(m.value, m.key);
        } catch {
          s.handlerErrors++;
        }
      }
      s.delivered++;
    }
    queue.length = 0;
    head = 0;
    scheduled = false;
  };

  const publish = (topic: string, key: string | undefined, value: unknown): boolean => {
    if (queue.length - head >= capacity) { s.dropped++; return false; }
    queue.push({ topic, key, value });
    s.published++;
    if (!scheduled) {
      scheduled = true;
      draining = new Promise<void>((resolve) => setImmediate(() => drain().then(resolve)));
    }
    return true;
  };

  return {
    publish,
    async publishAsync(topic, key, value, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      if (queue.length - head >= capacity) s.waited++;
      while (queue.length - head >= capacity && Date.now() < until) await draining;
      return publish(topic, key, value);
    },
    subscribe(topic, handler) {
      let set = subscribers.get(topic);
      if (!set) subscribers.set(topic, (set = new Set()));
      set.add(handler);
      return () => set!.delete(handler);
    },
    async flush() {
      while (scheduled) await draining;
    },
    async close() {
      await this.flush();
      subscribers.clear();
    },
    stats: () => ({ ...s, buffered: queue.length - head }),
  };
}
