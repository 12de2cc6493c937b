import type { NormalizedUsage } from '../../pricing/index.js';
import type { CallOutcome, MeteredCall } from '../meter.js';
import type { TokenCounter } from '../bounds/tokens.js';
import type { Json, StreamEvent } from '../providers/types.js';
import { createSseParser } from './sse.js';

/**
 * Meters a server-sent-events body as the consumer reads it: each event's usage and generated output
 * (text, tool-call arguments, refusals, reasoning) is charged as it arrives, and the call settles once
 * when the body ends, fails or is cancelled. Without a usage frame a call is charged its prompt bound
 * plus what it produced, never $0.
 */
export function meterSseBody(
  body: ReadableStream<Uint8Array>,
  call: MeteredCall,
  read: (event: Json, name?: string) => StreamEvent,
  countOutput: TokenCounter,
  signal?: AbortSignal | null,
): ReadableStream<Uint8Array> {
  const parser = createSseParser();
  const reader = body.getReader();
  let usage: NormalizedUsage | undefined;
  let produced = 0;
  const current = (): NormalizedUsage => ({
    input: usage?.input.total !== undefined ? usage.input : { total: call.plan.promptTokensBound },
    output: { ...usage?.output, total: Math.max(usage?.output.total ?? 0, produced) },
  });
  const finish = (outcome: CallOutcome) => {
    abandoned.unregister(call);
    if (!call.settled) call.settle(outcome === 'ok' && usage?.output.total !== undefined ? usage : current(), outcome);
  };
  const onAbort = () => finish('aborted');
  signal?.addEventListener('abort', onAbort, { once: true });
  const observe = (bytes: Uint8Array) => {
    let changed = false;
    for (const e of parser.push(bytes)) {
      if (!e.data || e.data === '[DONE]') continue;
      let json: Json;
      try {
        json = JSON.parse(e.data);
      } catch {
        continue;
      }
      const seen = read(json, e.event);
      if (seen.usage) usage = mergeUsage(usage, seen.usage);
      if (seen.text) produced += countOutput(seen.text);
      changed ||= !!(seen.usage || seen.text);
    }
    if (changed && !call.settled) call.progress(current());
    call.touch();
  };
  const metered = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await reader.read();
      } catch (err) {
        finish(signal?.aborted ? 'aborted' : 'error');
        controller.error(err);
        return;
      }
      if (r.done) {
        signal?.removeEventListener('abort', onAbort);
        finish('ok');
        controller.close();
        return;
      }
      observe(r.value);
      controller.enqueue(r.value);
    },
    async cancel(reason) {
      signal?.removeEventListener('abort', onAbort);
      finish('aborted');
      await reader.cancel(reason);
    },
  });
  // A consumer that stops reading without cancelling (Gemini's stream helper releases its reader and
  // goes) leaves the body to the garbage collector: the call settles then, not at its TTL.
  abandoned.register(metered, () => finish('aborted'), call);
  return metered;
}

const abandoned = new FinalizationRegistry<() => void>((settle) => settle());

/** Later events refine earlier ones (cumulative counts): the larger of each known count wins. */
export function mergeUsage(a: NormalizedUsage | undefined, b: NormalizedUsage): NormalizedUsage {
  if (!a) return b;
  const max = (x?: number, y?: number) => (x === undefined ? y : y === undefined ? x : Math.max(x, y));
  return {
    input: {
      total: max(a.input.total, b.input.total), noCache: max(a.input.noCache, b.input.noCache), cacheRead: max(a.input.cacheRead, b.input.cacheRead),
      cacheWrite5m: max(a.input.cacheWrite5m, b.input.cacheWrite5m), cacheWrite1h: max(a.input.cacheWrite1h, b.input.cacheWrite1h),
    },
    output: { total: max(a.output.total, b.output.total), reasoning: max(a.output.reasoning, b.output.reasoning) },
  };
}
