/** One server-sent event: its name (`event:`) and its data lines joined. */
export interface SseEvent {
  readonly event?: string;
  readonly data: string;
}

/**
 * An incremental server-sent-events parser (the WHATWG rules that the providers' streams use): feed it
 * bytes as they arrive, get back the events completed so far. Lines end in LF, CRLF or CR.
 */
export function createSseParser(): { push(bytes: Uint8Array): SseEvent[] } {
  const decoder = new TextDecoder();
  let buffer = '';
  let event: string | undefined;
  let data: string[] = [];
  const line = (l: string, out: SseEvent[]) => {
    if (l === '') {
      if (data.length) out.push({ event, data: data.join('\n') });
      event = undefined;
      data = [];
      return;
    }
    if (l.startsWith(':')) return;
    const colon = l.indexOf(':');
    const field = colon < 0 ? l : l.slice(0, colon);
    const value = colon < 0 ? '' : l.slice(l[colon + 1] === ' ' ? colon + 2 : colon + 1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
  };
  return {
    push(bytes) {
      buffer += decoder.decode(bytes, { stream: true });
      const out: SseEvent[] = [];
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const c = buffer.charCodeAt(i);
        if (c !== 10 && c !== 13) continue;
        // A CR at the very end may be the first half of a CRLF: wait for the next bytes.
        if (c === 13 && i === buffer.length - 1) break;
        line(buffer.slice(start, i), out);
        if (c === 13 && buffer.charCodeAt(i + 1) === 10) i++;
        start = i + 1;
      }
      buffer = buffer.slice(start);
      return out;
    },
  };
}
