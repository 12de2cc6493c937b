import type { Json, StreamEvent } from '../types.js';
import { geminiUsage } from './usage.js';

/** Every chunk carries usageMetadata (cumulative); parts are text, thoughts, function calls or code. */
export function contentStreamEvent(chunk: Json): StreamEvent {
  let text = '';
  for (const c of chunk.candidates ?? []) {
    for (const p of c.content?.parts ?? []) {
      if (typeof p.text === 'string') text += p.text;
      else {
        const { thoughtSignature: _, ...rest } = p;
        text += JSON.stringify(rest);
      }
    }
  }
  return { usage: geminiUsage(chunk.usageMetadata), text };
}
