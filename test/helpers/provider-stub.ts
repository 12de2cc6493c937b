import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';

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
  /** A streamed tool call instead of text: the function's arguments (JSON text), split into `chunks`. */
  toolArguments?: string;
  /** A streamed refusal instead of text (OpenAI chat). */
  refusal?: string;
  /** Stream only this many events, then drop the connection. */
  dropAfter?: number;
  /** A stream with no usage frame at all (servers that ignore `include_usage`). */
  noUsage?: boolean;
  /** Bill the prompt at its real o200k count (chat framing included) instead of `usage.input`. */
  billPromptO200k?: boolean;
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

/** What OpenAI bills for a chat prompt: o200k tokens of each message's text, 3 a message, 3 to prime the reply. */
export function o200kPromptTokens(body: any): number { // eslint-disable-line @typescript-eslint/no-explicit-any
  const text = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) ? v.map(text).join('') : v && typeof v === 'object' ? Object.values(v).map(text).join('') : '');
  const messages = body.messages ?? [{ content: body.input ?? body.contents }];
  return 3 + messages.reduce((n: number, m: { content?: unknown }) => n + 3 + countTokens(text(m.content), { disallowedSpecial: new Set() }), 0);
}

/** Completions generated for one prompt: OpenAI `n`, Gemini `candidateCount`. */
function choicesOf(body: any): number { // eslint-disable-line @typescript-eslint/no-explicit-any
  return body.n ?? body.generationConfig?.candidateCount ?? 1;
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
    const body = raw && (req.headers['content-type'] ?? '').includes('json') ? JSON.parse(raw) : {};
    const url = new URL(req.url ?? '/', 'http://stub');
    const provider: Provider = url.pathname.startsWith('/v1beta/') ? 'gemini' : url.pathname.startsWith('/v1/messages') ? 'anthropic' : 'openai';
    requests.push({ provider, path: url.pathname + url.search, body, headers: req.headers });
    if (provider === 'openai' && files(url.pathname, req.method ?? 'GET', raw, body, res)) return;
    if (!KNOWN.some((k) => k.test(url.pathname))) return json(res, 404, { error: { type: 'not_found', message: `no route ${req.method} ${url.pathname}` } });
    const reply = take(provider);
    const u = reply.usage!;
    const input = reply.billPromptO200k ? o200kPromptTokens(body) : u.input;
    const r: StubReply = { ...reply, usage: { ...u, input, output: u.output * choicesOf(body) } };
    if (r.delayMs) await sleep(r.delayMs);
    if (r.status && r.status >= 400) return json(res, r.status, { error: { type: 'stub_error', message: 'scripted failure' } });
    try {
      if (provider === 'openai') await openai(url.pathname, body, r, res);
      else if (provider === 'anthropic') await anthropic(url.pathname, body, r, res);
      else await gemini(url.pathname, body, r, res);
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

const uploads = new Map<string, string>();

/** OpenAI files (a multipart upload kept in memory, its content read back) and batches. */
function files(path: string, method: string, raw: string, body: any, res: ServerResponse): boolean { // eslint-disable-line @typescript-eslint/no-explicit-any
  if (method === 'POST' && path === '/v1/files') {
    // The file part of the multipart body: after its headers' blank line, up to the closing boundary.
    const part = /filename="[^"]*"\r?\n(?:[^\r\n]+\r?\n)*\r?\n([\s\S]*?)\r?\n--/.exec(raw);
    const id = `file-stub-${uploads.size + 1}`;
    uploads.set(id, part?.[1] ?? '');
    json(res, 200, { id, object: 'file', bytes: (part?.[1] ?? '').length, created_at: 1_700_000_000, filename: 'batch.jsonl', purpose: 'batch', status: 'processed' });
    return true;
  }
  const content = /^\/v1\/files\/([^/]+)\/content$/.exec(path);
  if (method === 'GET' && content) {
    const text = uploads.get(decodeURIComponent(content[1]));
    if (text === undefined) json(res, 404, { error: { message: 'no such file' } });
    else res.writeHead(200, { 'content-type': 'application/jsonl' }).end(text);
    return true;
  }
  if (method === 'POST' && path === '/v1/batches') {
    json(res, 200, { id: 'batch_stub', object: 'batch', endpoint: body.endpoint, input_file_id: body.input_file_id, completion_window: '24h', status: 'validating', created_at: 1_700_000_000 });
    return true;
  }
  return false;
}

const KNOWN = [
  /^\/v1\/(chat\/completions|responses|embeddings|completions)$/, /^\/openai\/deployments\/[^/]+\/chat\/completions$/, /^\/v1\/messages(\/count_tokens|\/batches)?$/,
  /^\/v1beta\/models\/[^/]+:(generateContent|streamGenerateContent|embedContent|countTokens|batchGenerateContent)$/,
];

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function sse(res: ServerResponse, events: { event?: string; data: unknown }[], r: StubReply, sep = '\n\n'): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  for (const [i, e] of events.entries()) {
    if (res.destroyed) return;
    if (r.dropAfter !== undefined && i >= r.dropAfter) {
      await sleep(20);
      res.destroy();
      return;
    }
    res.write(`${e.event ? `event: ${e.event}\n` : ''}data: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}${sep}`);
    if (r.chunkDelayMs) await sleep(r.chunkDelayMs);
  }
  res.end();
}

async function openai(path: string, body: any, r: StubReply, res: ServerResponse): Promise<void> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const u = r.usage!;
  const created = 1_700_000_000;
  if (path === '/v1/embeddings') {
    return json(res, 200, { object: 'list', model: body.model, data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2, 0.3] }], usage: { prompt_tokens: u.input, total_tokens: u.input } });
  }
  if (path === '/v1/responses') return responses(body, r, res);
  const usage = { prompt_tokens: u.input, completion_tokens: u.output, total_tokens: u.input + u.output, prompt_tokens_details: { cached_tokens: u.cached ?? 0 }, completion_tokens_details: { reasoning_tokens: u.reasoning ?? 0 } };
  const n = choicesOf(body);
  const call = { id: 'call_stub', type: 'function', function: { name: 'lookup', arguments: r.toolArguments ?? '' } };
  const message = r.toolArguments !== undefined ? { role: 'assistant', content: null, tool_calls: [call], refusal: null } : { role: 'assistant', content: r.refusal ? null : r.text, refusal: r.refusal ?? null };
  if (!body.stream) {
    const choices = Array.from({ length: n }, (_, index) => ({ index, message, finish_reason: r.toolArguments !== undefined ? 'tool_calls' : 'stop', logprobs: null }));
    return json(res, 200, { id: 'chatcmpl-stub', object: 'chat.completion', created, model: body.model, choices, usage });
  }
  const chunk = (delta: object, finish: string | null, index = 0) => ({ id: 'chatcmpl-stub', object: 'chat.completion.chunk', created, model: body.model, choices: [{ index, delta, finish_reason: finish, logprobs: null }] });
  const deltas = r.toolArguments !== undefined
    ? split(r.toolArguments, r.chunks ?? 4).map((a, i) => ({ tool_calls: [{ index: 0, ...(i === 0 ? { id: 'call_stub', type: 'function' } : {}), function: { ...(i === 0 ? { name: 'lookup' } : {}), arguments: a } }] }))
    : r.refusal !== undefined ? split(r.refusal, r.chunks ?? 4).map((refusal) => ({ refusal })) : split(r.text!, r.chunks ?? 4).map((content) => ({ content }));
  return sse(res, [
    ...Array.from({ length: n }, (_, i) => ({ data: chunk({ role: 'assistant', content: '' }, null, i) })),
    ...Array.from({ length: n }, (_, i) => deltas.map((d) => ({ data: chunk(d, null, i) }))).flat(),
    ...Array.from({ length: n }, (_, i) => ({ data: chunk({}, r.toolArguments !== undefined ? 'tool_calls' : 'stop', i) })),
    ...(body.stream_options?.include_usage && !r.noUsage ? [{ data: { id: 'chatcmpl-stub', object: 'chat.completion.chunk', created, model: body.model, choices: [], usage } }] : []),
    { data: '[DONE]' },
  ], r);
}

async function responses(body: any, r: StubReply, res: ServerResponse): Promise<void> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const u = r.usage!;
  const tool = r.toolArguments !== undefined;
  const item = tool
    ? { type: 'function_call', id: 'fc_stub', call_id: 'call_stub', name: 'lookup', arguments: r.toolArguments, status: 'completed' }
    : { type: 'message', id: 'msg_stub', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: r.text, annotations: [] }] };
  const response = {
    id: 'resp_stub', object: 'response', created_at: 1_700_000_000, status: 'completed', model: body.model, output: [item],
    usage: { input_tokens: u.input, input_tokens_details: { cached_tokens: u.cached ?? 0 }, output_tokens: u.output, output_tokens_details: { reasoning_tokens: u.reasoning ?? 0 }, total_tokens: u.input + u.output },
  };
  if (!body.stream) return json(res, 200, response);
  let seq = 0;
  const type = tool ? 'response.function_call_arguments.delta' : 'response.output_text.delta';
  return sse(res, [
    { event: 'response.created', data: { type: 'response.created', sequence_number: seq++, response: { ...response, status: 'in_progress', output: [], usage: null } } },
    { event: 'response.output_item.added', data: { type: 'response.output_item.added', output_index: 0, sequence_number: seq++, item: tool ? { ...item, arguments: '' } : { ...item, content: [] } } },
    ...(tool ? [] : [{ event: 'response.content_part.added', data: { type: 'response.content_part.added', item_id: item.id, output_index: 0, content_index: 0, sequence_number: seq++, part: { type: 'output_text', text: '', annotations: [] } } }]),
    ...split(tool ? r.toolArguments! : r.text!, r.chunks ?? 4).map((delta) => ({ event: type, data: { type, item_id: item.id, output_index: 0, content_index: 0, delta, sequence_number: seq++ } })),
    ...(r.noUsage ? [] : [{ event: 'response.completed', data: { type: 'response.completed', sequence_number: seq++, response } }]),
  ], r);
}

async function anthropic(path: string, body: any, r: StubReply, res: ServerResponse): Promise<void> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const u = r.usage!;
  if (path === '/v1/messages/count_tokens') return json(res, 200, { input_tokens: u.input });
  if (path === '/v1/messages/batches') {
    const counts = { processing: body.requests.length, succeeded: 0, errored: 0, canceled: 0, expired: 0 };
    return json(res, 200, { id: 'msgbatch_stub', type: 'message_batch', processing_status: 'in_progress', request_counts: counts, created_at: '2026-11-29T00:00:00Z', expires_at: '2026-11-30T00:00:00Z', ended_at: null, cancel_initiated_at: null, archived_at: null, results_url: null });
  }
  const usage = {
    input_tokens: u.input, output_tokens: u.output, cache_read_input_tokens: u.cached ?? 0,
    cache_creation_input_tokens: (u.cacheWrite5m ?? 0) + (u.cacheWrite1h ?? 0),
    cache_creation: { ephemeral_5m_input_tokens: u.cacheWrite5m ?? 0, ephemeral_1h_input_tokens: u.cacheWrite1h ?? 0 },
  };
  const tool = r.toolArguments !== undefined;
  const block = tool ? { type: 'tool_use', id: 'toolu_stub', name: 'lookup', input: JSON.parse(r.toolArguments || '{}') } : { type: 'text', text: r.text };
  const message = { id: 'msg_stub', type: 'message', role: 'assistant', model: body.model, content: [block], stop_reason: tool ? 'tool_use' : 'end_turn', stop_sequence: null, usage };
  if (!body.stream) return json(res, 200, message);
  const pieces = split(tool ? r.toolArguments! : r.text!, r.chunks ?? 4);
  let produced = 0;
  return sse(res, [
    { event: 'message_start', data: { type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } } } },
    { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: tool ? { ...block, input: {} } : { type: 'text', text: '' } } },
    ...pieces.flatMap((piece) => {
      produced++;
      const delta = tool ? { type: 'input_json_delta', partial_json: piece } : { type: 'text_delta', text: piece };
      return [
        { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta } },
        { event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: null, stop_sequence: null }, usage: { output_tokens: Math.round((u.output * produced) / pieces.length) } } },
      ];
    }),
    { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
    { event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: tool ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: u.output } } },
    { event: 'message_stop', data: { type: 'message_stop' } },
  ], r);
}

async function gemini(path: string, body: any, r: StubReply, res: ServerResponse): Promise<void> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const u = r.usage!;
  if (path.endsWith(':countTokens')) return json(res, 200, { totalTokens: u.input });
  if (path.endsWith(':embedContent')) return json(res, 200, { embedding: { values: [0.1, 0.2, 0.3] } });
  if (path.endsWith(':batchGenerateContent')) return json(res, 200, { name: 'batches/stub', metadata: { '@type': 'type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch', name: 'batches/stub', state: 'BATCH_STATE_PENDING' } });
  const model = /models\/([^:]+):/.exec(path)?.[1] ?? 'unknown';
  const meta = (out: number, done: boolean) => ({
    promptTokenCount: u.input, candidatesTokenCount: out, totalTokenCount: u.input + out + (done ? u.reasoning ?? 0 : 0),
    ...(u.cached ? { cachedContentTokenCount: u.cached } : {}), ...(u.reasoning && done ? { thoughtsTokenCount: u.reasoning } : {}),
  });
  const n = choicesOf(body);
  const part = (piece: string) => (r.toolArguments !== undefined ? { functionCall: { name: 'lookup', args: { q: piece } } } : { text: piece });
  const candidates = (piece: string, done: boolean) => Array.from({ length: n }, (_, index) => ({ content: { parts: [part(piece)], role: 'model' }, index, ...(done ? { finishReason: 'STOP' } : {}) }));
  if (path.endsWith(':generateContent')) return json(res, 200, { candidates: candidates(r.toolArguments ?? r.text!, true), usageMetadata: meta(u.output, true), modelVersion: model });
  const pieces = split(r.toolArguments ?? r.text!, r.chunks ?? 4);
  return sse(res, pieces.map((piece, i) => ({ data: { candidates: candidates(piece, i === pieces.length - 1), usageMetadata: meta(Math.round((u.output * (i + 1)) / pieces.length), i === pieces.length - 1), modelVersion: model } })), r, '\r\n\r\n');
}

/** The real provider SDKs pointed at a stub (no retries, so a scripted failure fails once). */
export function stubClients(stub: () => ProviderStub): { openai(): OpenAI; anthropic(): Anthropic; gemini(): GoogleGenAI } {
  return {
    openai: () => new OpenAI({ apiKey: 'sk-test', baseURL: `${stub().url}/v1`, maxRetries: 0 }),
    anthropic: () => new Anthropic({ apiKey: 'sk-ant-test', baseURL: stub().url, maxRetries: 0 }),
    gemini: () => new GoogleGenAI({ apiKey: 'g-test', httpOptions: { baseUrl: stub().url } }),
  };
}
