import fc from 'fast-check';
import { countTokens as o200k } from 'gpt-tokenizer/encoding/o200k_base';
import { countTokens as cl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { describe, expect, it } from 'vitest';
import { exactCounter, utf8Bytes } from '../../sdk/bounds/tokens.js';
import { imageSize } from '../../sdk/bounds/images.js';
import { createSseParser } from '../../sdk/fetch/sse.js';
import { imageTokens } from '../../sdk/providers/openai/prompt.js';

const plain = { disallowedSpecial: new Set<string>() };

describe('prompt bounds', () => {
  it('UTF-8 bytes bound every byte-level BPE count, in any script (o200k and cl100k as witnesses)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
      expect(utf8Bytes(s)).toBeGreaterThanOrEqual(o200k(s, plain));
      expect(utf8Bytes(s)).toBeGreaterThanOrEqual(cl100k(s, plain));
    }), { numRuns: 500 });
  });

  it('the exact counter is the tokenizer, cached or not, special-token text included', async () => {
    const count = await exactCounter('o200k_base');
    const long = '这是一个很长的系统提示。'.repeat(40) + '<|endoftext|>';
    expect(count(long)).toBe(o200k(long, plain));
    expect(count(long)).toBe(o200k(long, plain));
    expect(count('Hello!')).toBe(2);
  });
});

describe('images', () => {
  const png = (w: number, h: number) => {
    const b = Buffer.alloc(33);
    b.writeUInt32BE(0x89504e47, 0);
    b.writeUInt32BE(0x0d0a1a0a, 4);
    b.writeUInt32BE(13, 8);
    b.write('IHDR', 12, 'latin1');
    b.writeUInt32BE(w, 16);
    b.writeUInt32BE(h, 20);
    return b.toString('base64');
  };
  const jpeg = (w: number, h: number) => Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x0b, 0x08, h >> 8, h & 255, w >> 8, w & 255, 0x01, 0, 0, 0]).toString('base64');

  it('reads the size of PNG and JPEG images from their headers', () => {
    expect(imageSize(png(1024, 768))).toEqual({ width: 1024, height: 768 });
    expect(imageSize(jpeg(4032, 3024))).toEqual({ width: 4032, height: 3024 });
    expect(imageSize(Buffer.from('not an image').toString('base64'))).toBeUndefined();
  });

  it("OpenAI's documented image costs: tiles for gpt-4o, patches for gpt-4.1-mini, the maximum when the size is unknown", () => {
    // OpenAI's examples: 1024 x 1024 high detail = 765; 2048 x 4096 = 1,105; low detail = 85.
    expect(imageTokens('gpt-4o', { width: 1024, height: 1024 })).toBe(765);
    expect(imageTokens('gpt-4o', { width: 2048, height: 4096 })).toBe(1105);
    expect(imageTokens('gpt-4o', { width: 4096, height: 4096 }, 'low')).toBe(85);
    expect(imageTokens('gpt-4o', undefined)).toBe(85 + 8 * 170);
    // 1024 x 1024 in 32 px patches = 1,024, times 1.62.
    expect(imageTokens('gpt-4.1-mini', { width: 1024, height: 1024 })).toBe(Math.ceil(1024 * 1.62));
    expect(imageTokens('gpt-4.1-mini', undefined)).toBe(Math.ceil(1536 * 1.62));
    for (let w = 64; w <= 8192; w *= 2) for (let h = 64; h <= 8192; h *= 2) expect(imageTokens('gpt-4o', { width: w, height: h })).toBeLessThanOrEqual(imageTokens('gpt-4o', undefined));
  });
});

describe('server-sent events', () => {
  it('any split of the bytes gives the same events (LF, CRLF, multi-line data, comments)', () => {
    const text = 'event: a\ndata: {"x":1}\n\n: comment\r\ndata: line1\r\ndata: line2\r\n\r\ndata: [DONE]\n\n';
    const bytes = new TextEncoder().encode(text);
    const whole = createSseParser().push(bytes);
    expect(whole).toEqual([{ event: 'a', data: '{"x":1}' }, { event: undefined, data: 'line1\nline2' }, { event: undefined, data: '[DONE]' }]);
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 10 }), (cuts) => {
      const p = createSseParser();
      const points = [0, ...[...new Set(cuts)].sort((a, b) => a - b), bytes.length];
      const got = points.slice(1).flatMap((end, i) => p.push(bytes.slice(points[i], end)));
      expect(got).toEqual(whole);
    }));
  });
});
