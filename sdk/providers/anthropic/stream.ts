import type { Json, StreamEvent } from '../types.js';
import { messagesUsage } from './usage.js';

/**
 * Messages events: `message_start` has the input and cache counts, each `message_delta` a cumulative
 * output count; text, thinking and tool-input JSON deltas are output.
 */
export function messagesStreamEvent(e: Json): StreamEvent {
  if (e.type === 'message_start') return { usage: messagesUsage(e.message?.usage) };
  if (e.type === 'message_delta') return { usage: messagesUsage(e.usage) };
  if (e.type === 'content_block_delta') {
    const d = e.delta ?? {};
    return { text: (d.text ?? '') + (d.thinking ?? '') + (d.partial_json ?? '') };
  }
  if (e.type === 'completion') return { text: e.completion };
  return {};
}
