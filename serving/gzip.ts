import type { preParsingAsyncHookHandler } from 'fastify';
import { createGunzip } from 'node:zlib';
import { ApiError } from './errors.js';

/**
 * A route's `preParsing` hook that undoes `Content-Encoding: gzip`. Fastify then holds the *decoded* body to
 * the route's limit, so a small compressed bomb is refused with 413 like any large body.
 */
export function gunzipBody(): preParsingAsyncHookHandler {
  return async (req, _reply, payload) => {
    const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding === 'identity') return payload;
    if (encoding !== 'gzip') throw new ApiError('UNSUPPORTED_MEDIA_TYPE', `content-encoding '${encoding}' is not supported; send gzip or identity`);
    const gunzip = createGunzip() as ReturnType<typeof createGunzip> & { receivedEncodedLength: number };
    gunzip.receivedEncodedLength = 0;
    payload.on('data', (chunk: Buffer) => { gunzip.receivedEncodedLength += chunk.length; });
    payload.on('error', (err) => gunzip.destroy(err));
    return payload.pipe(gunzip);
  };
}
