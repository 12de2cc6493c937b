import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.txt': 'text/plain; charset=utf-8',
};

/** Scripts and styles from this server only; nothing fetched from elsewhere at run time; never framed. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
  + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

interface Asset { readonly body: Buffer; readonly gzip?: Buffer; readonly type: string; readonly immutable: boolean }

/** The built dashboard: LUTFLOW_UI_DIR, else `dist/ui` of the package this file belongs to (from the sources or dist/). */
export function defaultAssetsDir(env = process.env): string {
  if (env.LUTFLOW_UI_DIR) return env.LUTFLOW_UI_DIR;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'dist', 'ui');
}

function load(root: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  if (!existsSync(join(root, 'index.html'))) return assets;
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) { walk(path); continue; }
      const body = readFileSync(path);
      const type = TYPES[extname(name)] ?? 'application/octet-stream';
      const gzip = /^text\/|svg|json/.test(type) && body.length > 1024 ? gzipSync(body, { level: 9 }) : undefined;
      assets.set(relative(root, path).split(sep).join('/'), { body, gzip, type, immutable: relative(root, path).startsWith(`assets${sep}`) });
    }
  };
  walk(root);
  return assets;
}

function send(req: FastifyRequest, reply: FastifyReply, a: Asset) {
  reply.type(a.type).header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer')
    .header('cache-control', a.immutable ? 'public, max-age=31536000, immutable' : 'no-cache').header('vary', 'accept-encoding');
  if (a.type.startsWith('text/html')) reply.header('content-security-policy', CSP);
  if (a.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) return reply.header('content-encoding', 'gzip').send(a.gzip);
  return reply.send(a.body);
}

/**
 * Serves the built dashboard under /ui from memory (read once at start): only the files the build wrote, so
 * no request path ever reaches the file system. Without a build, /ui says how to make one.
 */
export function assetRoutes(app: FastifyInstance, dir = defaultAssetsDir()): void {
  const assets = load(dir);
  const index = assets.get('index.html');
  const page = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!index) return reply.code(503).type('text/plain; charset=utf-8').send(`the dashboard is not built (no ${join(dir, 'index.html')}): run npm run build`);
    return send(req, reply, index);
  };
  app.get('/ui', { schema: { hide: true } }, page);
  app.get('/ui/', { schema: { hide: true } }, page);
  app.get<{ Params: { '*': string } }>('/ui/*', { schema: { hide: true } }, async (req, reply) => {
    const a = assets.get(req.params['*']);
    if (!a) return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no dashboard file ${req.params['*']}` } });
    return send(req, reply, a);
  });
}
