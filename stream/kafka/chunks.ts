import type { Message } from 'kafkajs';

/** Payload bytes per send: one record batch stays well under the broker's 1 MiB limit. */
export const SEND_MAX_BYTES = 512 * 1024;

const size = (m: Message) => (m.key ? m.key.length : 0) + (m.value ? m.value.length : 0) + 64;

/** Splits messages into sends of at most `maxBytes` payload each (a larger message goes alone). */
export function chunkMessages<T extends Message>(messages: readonly T[], maxBytes = SEND_MAX_BYTES): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let bytes = 0;
  for (const m of messages) {
    const s = size(m);
    if (cur.length && bytes + s > maxBytes) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(m);
    bytes += s;
  }
  if (cur.length) out.push(cur);
  return out;
}
