import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, BudgetExceededError } from '../../sdk/index.js';
import { PricingError } from '../../pricing/index.js';
import { createEmbeddedBus, TOPICS, validate, type TelemetryEvent } from '../../stream/index.js';
import { startProviderStub, stubClients, type ProviderStub } from '../helpers/provider-stub.js';

let stub: ProviderStub;
beforeAll(async () => { stub = await startProviderStub(); });
afterAll(async () => { await stub.close(); });

const client = (over: Record<string, unknown> = {}) => new Client({ tenantId: 'acme', budgetUsd: 10, ...over });
const { openai, anthropic, gemini } = stubClients(() => stub);

async function drain(stream: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const _ of stream) n++;
  return n;
}

describe('OpenAI', () => {
  const usage = { input: 1000, cached: 200, output: 300, reasoning: 100 };
  // gpt-4o: 800 uncached x $2.50 + 200 cached x $1.25 + 300 output x $10 (per million) = 2,000 + 250 + 3,000 µ$
  const expected = 5_250;

  it('prices chat completions from their usage, streamed or not, to the same micro-dollar', async () => {
    const c = client();
    const ai = c.wrap(openai());
    stub.next('openai', { usage });
    const r = await ai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello!' }] });
    expect(r.choices[0].message.content).toBe('Hello from the stub.');
    expect(Math.round(c.accumulatedCostUsd * 1e6)).toBe(expected);

    const s = client();
    stub.next('openai', { usage, chunks: 5 });
    const stream = await s.wrap(openai()).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello!' }], stream: true });
    expect(await drain(stream)).toBeGreaterThan(5);
    expect(stub.requests.at(-1)!.body.stream_options).toEqual({ include_usage: true });
    expect(Math.round(s.accumulatedCostUsd * 1e6)).toBe(expected);
    expect(s.openReservations).toBe(0);
  });

  it('prices the Responses API and embeddings', async () => {
    const c = client();
    const ai = c.wrap(openai());
    stub.next('openai', { usage });
    await ai.responses.create({ model: 'gpt-4o', input: 'Hello!' });
    stub.next('openai', { usage });
    const stream = await ai.responses.create({ model: 'gpt-4o', input: 'Hello!', stream: true });
    await drain(stream);
    stub.next('openai', { usage: { input: 1000, output: 0 } });
    await ai.embeddings.create({ model: 'text-embedding-3-small', input: 'some text' });
    expect(Math.round(c.accumulatedCostUsd * 1e6)).toBe(2 * expected + 20);
  });

  it('prices what an abandoned stream produced, never $0, and frees the reservation', async () => {
    const c = client();
    stub.next('openai', { usage, text: 'x'.repeat(400), chunks: 10, chunkDelayMs: 5 });
    const stream = await c.wrap(openai()).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello!' }], stream: true });
    let n = 0;
    for await (const _ of stream) if (++n === 3) break;
    expect(c.accumulatedCostUsd).toBeGreaterThan(0);
    expect(c.openReservations).toBe(0);
    expect(c.reservedUsd).toBe(0);
  });

  it('releases the reservation when the provider fails', async () => {
    const c = client();
    stub.next('openai', { status: 500 });
    await expect(c.wrap(openai()).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] })).rejects.toThrow();
    expect([c.accumulatedCostUsd, c.openReservations, c.reservedUsd]).toEqual([0, 0, 0]);
  });

  it('refuses an unknown model before calling the provider, or prices it by a configured fallback with a warning', async () => {
    const before = stub.requests.length;
    await expect(client().wrap(openai()).chat.completions.create({ model: 'my-secret-model', messages: [{ role: 'user', content: 'x' }] })).rejects.toThrow(PricingError);
    expect(stub.requests.length).toBe(before);
    const warnings: string[] = [];
    const c = client({ fallbackModel: 'gpt-4o-mini', logger: { warn: (m: string) => warnings.push(m) } });
    stub.next('openai', { usage: { input: 1_000_000, output: 0 } });
    await c.wrap(openai()).chat.completions.create({ model: 'my-secret-model', messages: [{ role: 'user', content: 'x' }] });
    expect(c.accumulatedCostUsd).toBe(0.15);
    expect(warnings).toEqual(["lutflow: no price for model 'my-secret-model'; pricing it as 'gpt-4o-mini'"]);
  });

  it('applies the batch tier when asked', async () => {
    const c = client({ batch: true });
    stub.next('openai', { usage: { input: 1_000_000, output: 1_000_000 } });
    await c.wrap(openai()).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] });
    expect(c.accumulatedCostUsd).toBe(6.25);
  });

  it('prices an OpenAI-compatible self-hosted server by custom prices', async () => {
    const c = client({ customPrices: { 'meta-llama/Llama-3.1-8B-Instruct': { inputUsdPerMtok: 0.1, outputUsdPerMtok: 0.2 } } });
    stub.next('openai', { usage: { input: 1_000_000, output: 1_000_000 } });
    await c.wrap(openai(), { provider: 'vllm' }).chat.completions.create({ model: 'meta-llama/Llama-3.1-8B-Instruct', messages: [{ role: 'user', content: 'x' }] });
    expect(c.accumulatedCostUsd).toBeCloseTo(0.3, 12);
  });

  it('prices GPU time for a self-hosted server', async () => {
    const c = client({ pricingMode: 'GPU_TIME', gpuType: 'H100', gpuCount: 2 });
    stub.next('openai', { usage: { input: 10, output: 10 }, delayMs: 50 });
    await c.wrap(openai()).chat.completions.create({ model: 'llama-3-8b', messages: [{ role: 'user', content: 'x' }], max_tokens: 100 });
    // >= 50 ms at 2 x $3.99 per GPU-hour
    expect(c.accumulatedCostUsd).toBeGreaterThanOrEqual((0.05 * 2 * 3.99) / 3600 - 1e-6);
    expect(c.accumulatedCostUsd).toBeLessThan((2 * 2 * 3.99) / 3600);
  });
});

describe('Anthropic', () => {
  // claude-sonnet-4-5: 1,000 x $3 + 2,000 reads x $0.30 + 500 5-minute writes x $3.75 + 300 1-hour writes x $6 + 400 x $15
  const usage = { input: 1000, cached: 2000, cacheWrite5m: 500, cacheWrite1h: 300, output: 400 };
  const expected = 3_000 + 600 + 1_875 + 1_800 + 6_000;

  it('prices messages with cache reads and 5-minute and 1-hour writes, streamed or not, to the same micro-dollar', async () => {
    const c = client();
    stub.next('anthropic', { usage });
    const m = await c.wrap(anthropic()).messages.create({ model: 'claude-sonnet-4-5-20250929', max_tokens: 1024, messages: [{ role: 'user', content: 'Hello' }] });
    expect(m.content[0].type).toBe('text');
    expect(Math.round(c.accumulatedCostUsd * 1e6)).toBe(expected);
    const s = client();
    stub.next('anthropic', { usage, chunks: 6 });
    const stream = await s.wrap(anthropic()).messages.create({ model: 'claude-sonnet-4-5-20250929', max_tokens: 1024, messages: [{ role: 'user', content: 'Hello' }], stream: true });
    await drain(stream);
    expect(Math.round(s.accumulatedCostUsd * 1e6)).toBe(expected);
  });

  it('prices an abandoned stream by what it produced', async () => {
    const c = client();
    stub.next('anthropic', { usage, text: 'y'.repeat(800), chunks: 8, chunkDelayMs: 5 });
    const stream = await c.wrap(anthropic()).messages.create({ model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user', content: 'Hello' }], stream: true });
    let n = 0;
    for await (const _ of stream) if (++n === 4) break;
    expect(c.accumulatedCostUsd * 1e6).toBeGreaterThan(3_000 + 600 + 1_875 + 1_800);
    expect(c.openReservations).toBe(0);
  });
});

describe('Gemini', () => {
  // gemini-2.5-flash: 600 uncached x $0.30 + 400 cached x $0.03 + (200 + 100 thoughts) x $2.50
  const usage = { input: 1000, cached: 400, output: 200, reasoning: 100 };
  const expected = 180 + 12 + 750;

  it('prices generateContent and its stream to the same micro-dollar', async () => {
    const c = client();
    stub.next('gemini', { usage });
    const r = await c.wrap(gemini()).models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hello' });
    expect(r.text).toBe('Hello from the stub.');
    expect(Math.round(c.accumulatedCostUsd * 1e6)).toBe(expected);
    const s = client();
    stub.next('gemini', { usage, chunks: 3 });
    await drain(await s.wrap(gemini()).models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Hello' }));
    expect(Math.round(s.accumulatedCostUsd * 1e6)).toBe(expected);
  });

  it('applies long-context prices past the threshold', async () => {
    const c = client({ budgetUsd: 100 });
    stub.next('gemini', { usage: { input: 250_000, output: 1000 } });
    await c.wrap(gemini()).models.generateContent({ model: 'gemini-2.5-pro', contents: 'Hello' });
    expect(Math.round(c.accumulatedCostUsd * 1e6)).toBe(250_000 * 2.5 + 1000 * 15);
  });
});

describe('telemetry', () => {
  it('publishes one valid lut.telemetry event per priced call, without blocking the call', async () => {
    const bus = createEmbeddedBus();
    const events: TelemetryEvent[] = [];
    bus.subscribe(TOPICS.telemetry, (e) => { events.push(e as TelemetryEvent); });
    const c = client({ transport: bus });
    stub.next('anthropic', { usage: { input: 10, output: 5, cached: 3 } });
    await c.wrap(anthropic()).messages.create({ model: 'claude-haiku-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] });
    await c.flush();
    expect(events).toHaveLength(1);
    expect(validate('lut.telemetry', events[0]).ok).toBe(true);
    expect(events[0]).toMatchObject({ tenant_id: 'acme', provider: 'anthropic', model: 'claude-haiku-4-5', outcome: 'ok', tokens: { input: 13, cached_input: 3, output: 5 }, cost_usd_micros: Math.round(c.accumulatedCostUsd * 1e6) });
  });

  it('drops and counts events when the buffer is full; the calls still succeed', async () => {
    const bus = createEmbeddedBus({ capacity: 3 });
    bus.subscribe(TOPICS.telemetry, () => new Promise((r) => setTimeout(r, 50)));
    const c = client({ transport: bus });
    const ai = c.wrap(openai());
    await Promise.all(Array.from({ length: 10 }, () => ai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] })));
    expect(c.telemetryStats.dropped).toBeGreaterThan(0);
    expect(c.telemetryStats.sent).toBe(10);
    expect(c.accumulatedCostUsd).toBeGreaterThan(0);
  });

  it('carries refusals as events too', async () => {
    const bus = createEmbeddedBus();
    const events: TelemetryEvent[] = [];
    bus.subscribe(TOPICS.telemetry, (e) => { events.push(e as TelemetryEvent); });
    const c = client({ transport: bus, budgetUsd: 0.000001 });
    await expect(c.wrap(openai()).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] })).rejects.toThrow(BudgetExceededError);
    await c.flush();
    expect(events.map((e) => e.outcome)).toEqual(['refused']);
  });
});
