import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local server that speaks the wire protocols of the OpenAI, Anthropic and Gemini APIs (JSON and SSE
 * streaming), so the real provider SDKs can be pointed at it with their base-URL options. Each reply
 * uses the usage the test scripted for that provider (FIFO), else the provider's default.
 */
export interface StubUsage {
  input: number;
  output: number;
  cached?: number;
  reasoning?: number;
  cacheWrite5m?: number;
  cacheWrite1h?: number;
}

export interface StubReply {
  usage?: StubUsage;
  /** Generated text; split into `chunks` pieces when streamed. */
  text?: string;
  chunks?: number;
  delayMs?: number;
  /** Milliseconds between streamed chunks. */
  chunkDelayMs?: number;
  status?: number;
}

type Provider = 'openai' | 'anthropic' | 'gemini';

export interface ProviderStub {
  readonly url: string;
  next(provider: Provider, reply: StubReply): void;
  setDefault(provider: Provider, reply: StubReply): void;
  readonly requests: { provider: Provider; path: string; body: any; headers: IncomingMessage['headers'] }[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function split(text: string, n: number): string[] {
  const size = Math.ceil(text.length / n);
  return Array.from({ length: n }, (_, i) => text.slice(i * size, (i + 1) * size)).filter(Boolean);
}

export async function startProviderStub(): Promise<ProviderStub> {
  const queues: Record<Provider, StubReply[]> = { openai: [], anthropic: [], gemini: [] };
  const defaults: Record<Provider, StubReply> = {
    openai: { usage: { input: 100, output: 50 }, text: 'Hello from the stub.', chunks: 4 },
    anthropic: { usage: { input: 100, output: 50 }, text: 'Hello from the stub.', chunks: 4 },
    gemini: { usage: { input: 100, output: 50 }, text: 'Hello from the stub.', chunks: 4 },
  };
  const requests: ProviderStub['requests'] = [];
  const take = (p: Provider): StubReply => ({ ...defaults[p], ...(queues[p].shift() ?? {}) });

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const body = raw ? JSON.parse(raw) : {};
    const url = new URL(req.url ?? '/', 'http://stub');
    const provider: Provider = url.pathname.startsWith('/v1beta/') ? 'gemini' : url.pathname === '/v1/messages' ? 'anthropic' : 'openai';
    requests.push({ provider, path: url.pathname + url.search, body, headers: req.headers });
    const r = take(provider);
    if (r.delayMs) await sleep(r.delayMs);
    if (r.status && r.status >= 400) return json(res, r.status, { error: { type: 'stub_error', message: 'scripted failure' } });
    try {
      if (provider === 'openai') await openai(url.pathname, body, r, res);
      else if (provider === 'anthropic') await anthropic(body, r, res);
      else await gemini(url.pathname, r, res);
    } catch {
      res.destroy();
    }
  });
  // Clients pool connections; a server that closes an idle one first races their next request (ECONNRESET).
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    next: (p, reply) => queues[p].push(reply),
    setDefault: (p, reply) => { defaults[p] = { ...defaults[p], ...reply }; },
    requests,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function sse(res: ServerResponse, events: { event?: string; data: unknown }[], delayMs = 0, sep = '\n\n'): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  for (const e of events) {
    if (res.destroyed) return;
    res.write(`${e.event ? `event: ${e.event}\n` : ''}data: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}${sep}`);
    if (delayMs) await sleep(delayMs);
  }
  res.end();
}

async function openai(path: string, body: any, r: StubReply, res: ServerResponse): Promise<void> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const u = r.usage!;
  const created = 1_700_000_000;
  if (path === '/v1/embeddings') {
    return json(res, 200, { object: 'list', model: body.model, data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2, 0.3] }], usage: { prompt_tokens: u.input, total_tokens: u.input } });
  }
  if (path === '/v1/responses') {
    const response = {
      id: 'resp_stub', object: 'response', created_at: created, status: 'completed', model: body.model, output: [{ type: 'message', id: 'msg_stub', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: r.text, annotations: [] }] }],
      usage: { input_tokens: u.input, input_tokens_details: { cached_tokens: u.cached ?? 0 }, output_tokens: u.output, output_tokens_details: { reasoning_tokens: u.reasoning ?? 0 }, total_tokens: u.input + u.output },
    };
    if (!body.stream) return json(res, 200, response);
    let seq = 0;
    return sse(res, [
      { event: 'response.created', data: { type: 'response.created', sequence_number: seq++, response: { ...response, status: 'in_progress', output: [], usage: null } } },
      ...split(r.text!, r.chunks ?? 4).map((delta) => ({ event: 'response.output_text.delta', data: { type: 'response.output_text.delta', item_id: 'msg_stub', output_index: 0, content_index: 0, delta, sequence_number: seq++ } })),
      { event: 'response.completed', data: { type: 'response.completed', sequence_number: seq++, response } },
    ], r.chunkDelayMs);
  }
  const usage = { prompt_tokens: u.input, completion_tokens: u.output, total_tokens: u.input + u.output, prompt_tokens_details: { cached_tokens: u.cached ?? 0 }, completion_tokens_details: { reasoning_tokens: u.reasoning ?? 0 } };
  if (!body.stream) {
    return json(res, 200, { id: 'chatcmpl-stub', object: 'chat.completion', created, model: body.model, choices: [{ index: 0, message: { role: 'assistant', content: r.text, refusal: null }, finish_reason: 'stop', logprobs: null }], usage });
  }
  const chunk = (delta: object, finish: string | null) => ({ id: 'chatcmpl-stub', object: 'chat.completion.chunk', created, model: body.model, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] });
  return sse(res, [
    { data: chunk({ role: 'assistant', content: '' }, null) },
    ...split(r.text!, r.chunks ?? 4).map((content) => ({ data: chunk({ content }, null) })),
    { data: chunk({}, 'stop') },
    ...(body.stream_options?.include_usage ? [{ data: { id: 'chatcmpl-stub', object: 'chat.completion.chunk', created, model: body.model, choices: [], usage } }] : []),
    { data: '[DONE]' },
  ], r.chunkDelayMs);
}

async function anthropic(body: any, r: StubReply, res: ServerResponse): Promise<void> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const u = r.usage!;
  const usage = {
    input_tokens: u.input, output_tokens: u.output, cache_read_input_tokens: u.cached ?? 0,
    cache_creation_input_tokens: (u.cacheWrite5m ?? 0) + (u.cacheWrite1h ?? 0),
    cache_creation: { ephemeral_5m_input_tokens: u.cacheWrite5m ?? 0, ephemeral_1h_input_tokens: u.cacheWrite1h ?? 0 },
  };
  const message = { id: 'msg_stub', type: 'message', role: 'assistant', model: body.model, content: [{ type: 'text', text: r.text }], stop_reason: 'end_turn', stop_sequence: null, usage };
  if (!body.stream) return json(res, 200, message);
  const pieces = split(r.text!, r.chunks ?? 4);
  let produced = 0;
  return sse(res, [
    { event: 'message_start', data: { type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } } } },
    { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } },
    ...pieces.flatMap((text) => {
      produced++;
      return [
        { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } } },
        { event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: null, stop_sequence: null }, usage: { output_tokens: Math.round((u.output * produced) / pieces.length) } } },
      ];
    }),
    { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
    { event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: u.output } } },
    { event: 'message_stop', data: { type: 'message_stop' } },
  ], r.chunkDelayMs);
}

async function gemini(path: string, r: StubReply, res: ServerResponse): Promise<void> {
  const u = r.usage!;
  const model = /models\/([^:]+):/.exec(path)?.[1] ?? 'unknown';
  const meta = (out: number, done: boolean) => ({
    promptTokenCount: u.input, candidatesTokenCount: out, totalTokenCount: u.input + out + (done ? u.reasoning ?? 0 : 0),
    ...(u.cached ? { cachedContentTokenCount: u.cached } : {}), ...(u.reasoning && done ? { thoughtsTokenCount: u.reasoning } : {}),
  });
  const candidate = (text: string, done: boolean) => ({ content: { parts: [{ text }], role: 'model' }, index: 0, ...(done ? { finishReason: 'STOP' } : {}) });
  if (path.endsWith(':generateContent')) return json(res, 200, { candidates: [candidate(r.text!, true)], usageMetadata: meta(u.output, true), modelVersion: model });
  const pieces = split(r.text!, r.chunks ?? 4);
  return sse(res, pieces.map((text, i) => ({ data: { candidates: [candidate(text, i === pieces.length - 1)], usageMetadata: meta(Math.round((u.output * (i + 1)) / pieces.length), i === pieces.length - 1), modelVersion: model } })), r.chunkDelayMs, '\r\n\r\n');
}
