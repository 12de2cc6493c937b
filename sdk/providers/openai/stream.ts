import type { Json, StreamEvent } from '../types.js';
import { chatUsage, responsesUsage } from './usage.js';

/** Chat (and legacy completion) chunks: usage in the last chunk; output as text, refusals, reasoning and tool-call arguments. */
export function chatStreamEvent(c: Json): StreamEvent {
  let text = '';
  for (const ch of c.choices ?? []) {
    const d = ch.delta ?? {};
    text += (d.content ?? '') + (d.refusal ?? '') + (d.reasoning_content ?? '') + (typeof d.reasoning === 'string' ? d.reasoning : '') + (ch.text ?? '');
    for (const t of d.tool_calls ?? []) text += (t.function?.name ?? '') + (t.function?.arguments ?? '');
    if (d.function_call) text += (d.function_call.name ?? '') + (d.function_call.arguments ?? '');
    if (d.audio?.transcript) text += d.audio.transcript;
  }
  return { usage: chatUsage(c.usage), text };
}

const FINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/** Responses events: usage in the final event; every `*.delta` event (text, refusal, arguments, reasoning, code) is output. */
export function responsesStreamEvent(e: Json): StreamEvent {
  if (FINAL.has(e.type)) return { usage: responsesUsage(e.response?.usage) };
  return { text: typeof e.type === 'string' && e.type.endsWith('.delta') && typeof e.delta === 'string' ? e.delta : undefined };
}
