import type { NormalizedUsage } from '../pricing/index.js';

/** What a provider adapter knows before the call: enough to reserve its worst case. */
export interface CallPlan {
  readonly provider: string;
  readonly model: string;
  readonly promptTokensEstimate: number;
  /** The request's output limit; the model's own limit when absent. */
  readonly maxOutputTokens?: number;
  readonly stream: boolean;
  readonly operation: string;
}

export type CallOutcome = 'ok' | 'error' | 'aborted';

/** One metered call: settle once with what it really used, or release if it used nothing. */
export interface MeteredCall {
  readonly plan: CallPlan;
  settle(usage: NormalizedUsage, outcome: CallOutcome): void;
  release(outcome: CallOutcome): void;
  readonly settled: boolean;
}

/** The client side that adapters talk to: reserve-or-refuse before, settle after. */
export interface Meter {
  begin(plan: CallPlan): Promise<MeteredCall>;
}

/** Rough upper estimate of prompt tokens from text: about 3 characters a token, plus per-message framing. */
export function estimateTokens(text: string, messages = 1): number {
  return Math.ceil(text.length / 3) + 4 * messages;
}

/** Text of any message-like structure (strings, content parts, nested objects), for estimating. */
export function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(textOf).join(' ');
  if (v && typeof v === 'object') return Object.values(v as Record<string, unknown>).map(textOf).join(' ');
  return '';
}

/** Tokens a stream produced when the provider never said: about 4 characters a token, never 0 for any text. */
export function producedTokens(chars: number): number {
  return chars > 0 ? Math.max(1, Math.ceil(chars / 4)) : 0;
}

export interface StreamObserver<C> {
  /** Reads one chunk: returns usage when the chunk carries it, and the text it adds. */
  observe(chunk: C): { usage?: NormalizedUsage; text?: string };
}

/**
 * Wraps a provider stream so that the call settles when the stream ends, fails or is abandoned: with
 * the provider's usage when it reported it, else with an estimate of what was produced. The stream
 * object keeps its other methods.
 */
export function meterStream<S extends object>(stream: S, call: MeteredCall, observer: StreamObserver<unknown>): S {
  let usage: NormalizedUsage | undefined;
  let chars = 0;
  const finish = (outcome: CallOutcome) => {
    if (call.settled) return;
    // A stream cut short may not have reported its last output count: price at least what was produced.
    if (usage && outcome !== 'ok') call.settle({ input: usage.input, output: { ...usage.output, total: Math.max(usage.output.total ?? 0, producedTokens(chars)) } }, outcome);
    else if (usage) call.settle(usage, outcome);
    else if (chars > 0) call.settle({ input: { total: call.plan.promptTokensEstimate }, output: { total: producedTokens(chars) } }, outcome);
    else call.release(outcome);
  };
  const wrapIterator = (it: AsyncIterator<unknown>): AsyncIterator<unknown> & AsyncIterable<unknown> => ({
    async next() {
      let r: IteratorResult<unknown>;
      try {
        r = await it.next();
      } catch (err) {
        finish('error');
        throw err;
      }
      if (r.done) finish('ok');
      else {
        const seen = observer.observe(r.value);
        if (seen.usage) usage = mergeUsage(usage, seen.usage);
        if (seen.text) chars += seen.text.length;
      }
      return r;
    },
    async return(value?: unknown) {
      finish('aborted');
      return it.return ? it.return(value) : { done: true, value };
    },
    async throw(err?: unknown) {
      finish('error');
      if (it.throw) return it.throw(err);
      throw err;
    },
    [Symbol.asyncIterator]() { return this; },
  });
  return new Proxy(stream, {
    get(target, prop, receiver) {
      if (prop === Symbol.asyncIterator) return () => wrapIterator((target as AsyncIterable<unknown>)[Symbol.asyncIterator]());
      if (prop === 'next' && typeof (target as { next?: unknown }).next === 'function') {
        // An async generator used directly (gen.next()): meter that iterator itself.
        const it = wrapIterator(target as unknown as AsyncIterator<unknown>);
        return it.next.bind(it);
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

/** Later chunks refine earlier ones (cumulative counts): the larger of each known count wins. */
function mergeUsage(a: NormalizedUsage | undefined, b: NormalizedUsage): NormalizedUsage {
  if (!a) return b;
  const max = (x?: number, y?: number) => (x === undefined ? y : y === undefined ? x : Math.max(x, y));
  return {
    input: { total: max(a.input.total, b.input.total), noCache: max(a.input.noCache, b.input.noCache), cacheRead: max(a.input.cacheRead, b.input.cacheRead), cacheWrite5m: max(a.input.cacheWrite5m, b.input.cacheWrite5m), cacheWrite1h: max(a.input.cacheWrite1h, b.input.cacheWrite1h) },
    output: { total: max(a.output.total, b.output.total), reasoning: max(a.output.reasoning, b.output.reasoning) },
  };
}

/**
 * The one request flow every adapter shares: reserve (or be refused) before the call, release if the
 * call fails, settle from the response's usage, or hand a stream to `meterStream` to settle when it ends.
 */
export async function meteredRequest<R extends object>(
  meter: Meter,
  plan: CallPlan,
  invoke: () => Promise<R>,
  usageOf: (response: R) => NormalizedUsage | undefined,
  observer?: StreamObserver<unknown>,
): Promise<R> {
  const call = await meter.begin(plan);
  let result: R;
  try {
    result = await invoke();
  } catch (err) {
    call.release('error');
    throw err;
  }
  if (plan.stream && observer) return meterStream(result, call, observer);
  call.settle(usageOf(result) ?? { input: { total: plan.promptTokensEstimate }, output: { total: 0 } }, 'ok');
  return result;
}
