import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AzureOpenAI } from 'openai';
import { BudgetExceededError, Client, budgetErrorOf } from '../../sdk/index.js';
import { startProviderStub, stubClients, type ProviderStub } from '../helpers/provider-stub.js';

/** The ways money got through the SDK (issue 10), one block per row of its table. */
let stub: ProviderStub;
beforeAll(async () => { stub = await startProviderStub(); });
afterAll(async () => { await stub.close(); });

const client = (over: Record<string, unknown> = {}) => new Client({ tenantId: 'acme', budgetUsd: 10, ...over });
const { openai, anthropic, gemini } = stubClients(() => stub);
const micros = (c: Client) => Math.round(c.accumulatedCostUsd * 1e6);
const user = (content: string) => [{ role: 'user' as const, content }];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function firstChunks(stream: AsyncIterable<unknown>, n: number): Promise<void> {
  let i = 0;
  for await (const _ of stream) if (++i === n) break;
}

describe('1: a stream with no visible text is still charged', () => {
  // gpt-4o, prompt 'Hello!' bound 3 + 3 + 'user' 1 + 'Hello!' 2 = 9 tokens at $2.50/M.
  const promptMicros = 23;

  it('OpenAI tool-call stream broken after 3 chunks: the prompt plus the arguments produced', async () => {
    const c = client();
    stub.next('openai', { toolArguments: '{"city": "Paris", "unit": "celsius", "days": 7}', chunks: 8, chunkDelayMs: 5 });
    const stream = await c.wrap(openai()).chat.completions.create({ model: 'gpt-4o', messages: user('Hello!'), stream: true, tools: [] });
    await firstChunks(stream, 3);
    expect(micros(c)).toBeGreaterThan(promptMicros);
    expect(c.openReservations).toBe(0);
  });

  it('OpenAI refusal stream and Responses function-call stream, broken early', async () => {
    const c = client();
    stub.next('openai', { refusal: "I'm sorry, I can't help with that request at all.", chunks: 8, chunkDelayMs: 5 });
    await firstChunks(await c.wrap(openai()).chat.completions.create({ model: 'gpt-4o', messages: user('Hello!'), stream: true }), 3);
    const afterRefusal = micros(c);
    expect(afterRefusal).toBeGreaterThan(promptMicros);
    stub.next('openai', { toolArguments: '{"query": "weather in Paris tomorrow"}', chunks: 6, chunkDelayMs: 5 });
    await firstChunks(await c.wrap(openai()).responses.create({ model: 'gpt-4o', input: 'Hello!', stream: true }), 3);
    expect(micros(c)).toBeGreaterThan(afterRefusal);
  });

  it('a reasoning model stopped before its first visible token, and a connection dropped after the role frame', async () => {
    const c = client();
    stub.next('openai', { text: 'late answer', chunks: 2, chunkDelayMs: 20 });
    await firstChunks(await c.wrap(openai()).chat.completions.create({ model: 'o3', messages: user('Hello!'), stream: true }), 1);
    // o3 at $2/M input: never $0 once the provider accepted the prompt.
    expect(micros(c)).toBeGreaterThan(0);
    const d = client();
    stub.next('openai', { dropAfter: 1 });
    const stream = await d.wrap(openai()).chat.completions.create({ model: 'gpt-4o', messages: user('Hello!'), stream: true });
    await expect(firstChunks(stream, 100)).rejects.toThrow();
    expect(micros(d)).toBeGreaterThanOrEqual(promptMicros);
    expect(d.openReservations).toBe(0);
  });

  it('a server that never sends a usage frame: the prompt plus what was produced', async () => {
    const c = client();
    stub.next('openai', { toolArguments: '{"a": 1}', noUsage: true });
    for await (const _ of await c.wrap(openai()).chat.completions.create({ model: 'gpt-4o', messages: user('Hello!'), stream: true })) { /* drain */ }
    expect(micros(c)).toBeGreaterThan(promptMicros);
  });

  it('Gemini function-call stream broken early', async () => {
    const c = client();
    stub.next('gemini', { toolArguments: 'Paris', chunks: 4, chunkDelayMs: 5, usage: { input: 1000, output: 400 } });
    await firstChunks(await c.wrap(gemini()).models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Hello' }), 1);
    expect(micros(c)).toBeGreaterThan(0);
  });
});

describe('1b: batch jobs', () => {
  it('an Anthropic message batch is charged its whole bound at batch prices when created, or refused', async () => {
    // claude-haiku-4-5 batch: $0.50 / $2.50 per million; 2 x 1,000 max_tokens = 5,000 µ$ of output.
    const params = (content: string) => ({ model: 'claude-haiku-4-5', max_tokens: 1000, messages: user(content) });
    const requests = [{ custom_id: 'a', params: params('Hi') }, { custom_id: 'b', params: params('Hello') }];
    const c = client();
    const batch = await c.wrap(anthropic()).messages.batches.create({ requests });
    expect(batch.id).toBe('msgbatch_stub');
    // Prompt bound: framing 16 + 8 a message + the bytes of 'user' and the text, per request.
    const prompt = (16 + 8 + 4 + 2) + (16 + 8 + 4 + 5);
    expect(micros(c)).toBe(Math.round(prompt * 0.5) + 5_000);
    const before = stub.requests.length;
    await expect(client({ budgetUsd: 0.004 }).wrap(anthropic()).messages.batches.create({ requests })).rejects.toBeInstanceOf(BudgetExceededError);
    expect(stub.requests.length).toBe(before);
  });
});

describe('1d: OpenAI batches', () => {
  it('are charged their whole bound at batch prices when created, the input file read back from the provider', async () => {
    const line = (id: string, content: string) => JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: user(content), max_tokens: 500 } });
    const c = client();
    const ai = c.wrap(openai());
    const file = await ai.files.create({ file: new File([`${line('a', 'Hi')}\n${line('b', 'Hello!')}\n`], 'batch.jsonl'), purpose: 'batch' });
    const batch = await ai.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    expect(batch.id).toBe('batch_stub');
    // gpt-4o-mini batch: $0.075 / $0.30 per million. Prompts: 3 + 3 + 'user' 1 + text (1 and 2) = 8 and 9 tokens.
    expect(micros(c)).toBe(Math.round(17 * 0.075) + 1_000 * 0.3);
    const before = stub.requests.filter((r) => r.path === '/v1/batches').length;
    await expect(client({ budgetUsd: 0.0002 }).wrap(openai()).batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' })).rejects.toBeInstanceOf(BudgetExceededError);
    expect(stub.requests.filter((r) => r.path === '/v1/batches').length).toBe(before);
  });
});

describe('1c: Gemini inline batches', () => {
  it('are charged their whole bound at batch prices when created; a request without a limit is held to the model\'s', async () => {
    // gemini-2.5-flash batch: $0.15 / $1.25 per million. Two requests of 1,000 output tokens = 2,500 µ$ of output.
    const c = client();
    const src = [{ contents: 'Hi', config: { maxOutputTokens: 1000 } }, { contents: 'Hello', config: { maxOutputTokens: 1000 } }];
    await c.wrap(gemini()).batches.create({ model: 'gemini-2.5-flash', src });
    // Prompt bound: framing 8 + 4 a content + the bytes of 'user' and the text, per request.
    const prompt = (8 + 4 + 4 + 2) + (8 + 4 + 4 + 5);
    expect(micros(c)).toBe(Math.round(prompt * 0.15) + 2_500);
    const before = stub.requests.length;
    const unbounded = [{ contents: 'Hi' }];
    // Without a limit the answer is held to the model's 65,536 output tokens: about 0.08 $ at batch prices.
    await expect(client({ budgetUsd: 0.05 }).wrap(gemini()).batches.create({ model: 'gemini-2.5-flash', src: unbounded })).rejects.toBeInstanceOf(BudgetExceededError);
    expect(stub.requests.length).toBe(before);
  });
});

describe('2: n and candidateCount multiply the output bound', () => {
  it('OpenAI n: 3 is reserved as three completions: refused where one would fit', async () => {
    // One choice: 9 prompt tokens x $2.50 + 1,000 x $10 = 10,023 µ$; three: 30,023 µ$.
    const c = client({ budgetUsd: 0.02 });
    const ai = c.wrap(openai());
    await expect(ai.chat.completions.create({ model: 'gpt-4o', messages: user('Hello!'), max_tokens: 1000, n: 3 })).rejects.toBeInstanceOf(BudgetExceededError);
    stub.next('openai', { usage: { input: 9, output: 1000 } });
    await ai.chat.completions.create({ model: 'gpt-4o', messages: user('Hello!'), max_tokens: 1000 });
    expect(micros(c)).toBe(10_023);
  });

  it('100 concurrent n: 3 calls billed in full never pass the limit', async () => {
    const c = client({ budgetUsd: 0.5 });
    stub.setDefault('openai', { usage: { input: 9, output: 1000 }, delayMs: 10 });
    const ai = c.wrap(openai());
    await Promise.allSettled(Array.from({ length: 100 }, () => ai.chat.completions.create({ model: 'gpt-4o', messages: user('Hello!'), max_tokens: 1000, n: 3 })));
    stub.setDefault('openai', { usage: { input: 100, output: 50 }, delayMs: 0 });
    expect(micros(c)).toBeGreaterThan(0);
    expect(micros(c)).toBeLessThanOrEqual(500_000);
  });

  it('Gemini candidateCount: 4 is reserved as four candidates', async () => {
    // gemini-2.5-flash: 1,000 output tokens x $2.50 = 2,500 µ$ a candidate.
    const c = client({ budgetUsd: 0.005 });
    const ai = c.wrap(gemini());
    await expect(ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hello', config: { maxOutputTokens: 1000, candidateCount: 4 } })).rejects.toBeInstanceOf(BudgetExceededError);
  });
});

describe('3: the prompt bound is an upper bound in every language', () => {
  it('100 concurrent calls with a Chinese prompt, billed at the real o200k count, never pass the limit', async () => {
    const prompt = '请用三句话解释为什么预算防火墙必须在调用提供商之前预留最坏情况的费用，并说明流式响应如何结算。'.repeat(20);
    const c = client({ budgetUsd: 0.2 });
    stub.setDefault('openai', { billPromptO200k: true, usage: { input: 0, output: 200 }, delayMs: 10 });
    const ai = c.wrap(openai());
    await Promise.allSettled(Array.from({ length: 100 }, () => ai.chat.completions.create({ model: 'gpt-4o', messages: user(prompt), max_tokens: 200 })));
    stub.setDefault('openai', { billPromptO200k: false, usage: { input: 100, output: 50 }, delayMs: 0 });
    expect(micros(c)).toBeGreaterThan(0);
    expect(micros(c)).toBeLessThanOrEqual(200_000);
  });
});

describe('4: a reservation TTL never makes a call free', () => {
  it('a call that outlives the TTL is still charged its exact cost', async () => {
    const c = client({ reservationTtlMs: 100 });
    stub.next('openai', { usage: { input: 1000, output: 300 }, delayMs: 300 });
    await c.wrap(openai()).chat.completions.create({ model: 'gpt-4o', messages: user('Hello!') });
    expect(micros(c)).toBe(2_500 + 3_000);
  });

  it('a stream that keeps producing past the TTL keeps its reservation and is charged in full', async () => {
    // A 400 ms TTL and a chunk every 80 ms: the stream lives three TTLs.
    const c = client({ reservationTtlMs: 400 });
    stub.next('anthropic', { usage: { input: 1000, output: 400 }, chunks: 8, chunkDelayMs: 80 });
    const stream = await c.wrap(anthropic()).messages.create({ model: 'claude-sonnet-4-5', max_tokens: 1024, messages: user('Hello'), stream: true });
    let heldMidway = false;
    let i = 0;
    for await (const _ of stream) if (++i === 12) heldMidway = c.reservedUsd > 0;
    expect(heldMidway).toBe(true);
    expect(micros(c)).toBe(3_000 + 6_000);
  });
});

describe("5: wrapped calls keep the SDK's promise type; refusals reject the caller's promise", () => {
  it('.withResponse() and .asResponse() work on wrapped calls, and Anthropic messages.stream() is metered', async () => {
    const c = client();
    const ai = c.wrap(openai());
    stub.next('openai', { usage: { input: 100, output: 10 } });
    const { data, response } = await ai.chat.completions.create({ model: 'gpt-4o', messages: user('Hi') }).withResponse();
    expect(data.choices[0].message.content).toBe('Hello from the stub.');
    expect(response.status).toBe(200);
    stub.next('openai', { usage: { input: 100, output: 10 } });
    expect((await ai.chat.completions.create({ model: 'gpt-4o', messages: user('Hi') }).asResponse()).status).toBe(200);
    expect(micros(c)).toBe(2 * (250 + 100));

    const a = client();
    stub.next('anthropic', { usage: { input: 1000, output: 400 } });
    const final = await a.wrap(anthropic()).messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 1024, messages: user('Hello') }).finalMessage();
    expect(final.usage.output_tokens).toBe(400);
    expect(micros(a)).toBe(3_000 + 6_000);
  });

  it('a refusal rejects the promise the caller holds, with the budget error, and nothing goes unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const c = client({ budgetUsd: 0 });
      const err = await c.wrap(openai()).chat.completions.create({ model: 'gpt-4o', messages: user('Hi') }).withResponse().catch((e) => e);
      expect(err).toBeInstanceOf(BudgetExceededError);
      expect(err.details.reason).toBe('reservation');
      // The SDKs' stream helpers wrap every error in their own class, the refusal as its cause.
      const stream = c.wrap(anthropic()).messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: user('Hi') });
      expect(budgetErrorOf(await stream.finalMessage().catch((e) => e))?.details.reason).toBe('reservation');
      // A copy made from the wrapped client (withOptions) stays metered.
      const copy = c.wrap(openai()).withOptions({ timeout: 5_000 });
      await expect(copy.chat.completions.create({ model: 'gpt-4o', messages: user('Hi') })).rejects.toBeInstanceOf(BudgetExceededError);
      await sleep(50);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('Azure OpenAI', () => {
  it('an AzureOpenAI client is wrapped (deployment and API version carried), metered, and stays metered through withOptions()', async () => {
    const c = client();
    const az = c.wrap(new AzureOpenAI({ apiKey: 'az-test', endpoint: stub.url, apiVersion: '2024-10-21', deployment: 'gpt-4o', maxRetries: 0 }));
    stub.next('openai', { usage: { input: 1000, output: 100 } });
    await az.withOptions({ timeout: 5_000 }).chat.completions.create({ model: 'gpt-4o', messages: user('Hi') });
    expect(stub.requests.at(-1)!.path).toBe('/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21');
    expect(micros(c)).toBe(2_500 + 1_000);
  });
});

describe('6: helper surfaces go through the meter', () => {
  const calls: [string, (c: Client) => Promise<unknown>][] = [
    ['openai chat.completions.stream()', (c) => c.wrap(openai()).chat.completions.stream({ model: 'gpt-4o', messages: user('Hi') }).finalChatCompletion()],
    ['openai chat.completions.parse()', (c) => c.wrap(openai()).chat.completions.parse({ model: 'gpt-4o', messages: user('Hi') })],
    ['openai responses.parse()', (c) => c.wrap(openai()).responses.parse({ model: 'gpt-4o', input: 'Hi' })],
    ['openai responses.stream()', (c) => c.wrap(openai()).responses.stream({ model: 'gpt-4o', input: 'Hi' }).finalResponse()],
    ['anthropic beta.messages.create()', (c) => c.wrap(anthropic()).beta.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: user('Hi') })],
    ['gemini chats.create().sendMessage()', (c) => c.wrap(gemini()).chats.create({ model: 'gemini-2.5-flash' }).sendMessage({ message: 'Hi' })],
  ];

  it.each(calls)('%s: refused on a zero budget before the provider is called', async (_, call) => {
    const before = stub.requests.length;
    const err = await call(client({ budgetUsd: 0 })).then(() => undefined, (e) => e);
    expect(budgetErrorOf(err)).toBeInstanceOf(BudgetExceededError);
    expect(stub.requests.length).toBe(before);
  });

  it('gemini: a per-request httpOptions.fetch cannot replace the metered fetch', async () => {
    const before = stub.requests.length;
    const ai = client({ budgetUsd: 0 }).wrap(gemini());
    const config = { httpOptions: { fetch: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, init) } };
    await expect(ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hi', config })).rejects.toBeInstanceOf(BudgetExceededError);
    expect(stub.requests.length).toBe(before);
  });

  it.each(calls)('%s: charged from the usage', async (_, call) => {
    const c = client();
    await call(c);
    expect(micros(c)).toBeGreaterThan(0);
    expect(c.openReservations).toBe(0);
  });

});
