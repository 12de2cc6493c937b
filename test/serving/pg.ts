import { randomBytes } from 'node:crypto';
import { createServer, Socket, type Server } from 'node:net';
import pg from 'pg';
import { inject } from 'vitest';

/** A database of its own on the test server (test/setup/postgres.ts), for one test. */
export async function freshDatabase(): Promise<string> {
  const admin = inject('postgresUrl');
  if (!admin) throw new Error('no test PostgreSQL server: run through vitest (test/setup/postgres.ts starts one) or set LUTFLOW_TEST_PG_URL');
  const name = `lutflow_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * A TCP proxy in front of PostgreSQL that can be cut (every connection reset, new ones refused) and
 * mended: a database that goes away and comes back, as the ledger's clients see it.
 */
export async function cuttableProxy(target: string): Promise<{ url: string; cut(): void; mend(): void; close(): Promise<void> }> {
  const t = new URL(target);
  const sockets = new Set<Socket>();
  let cut = false;
  const server: Server = createServer((client) => {
    if (cut) return void client.destroy();
    const upstream = new Socket();
    upstream.connect(Number(t.port), t.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => { client.destroy(); upstream.destroy(); });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = new URL(target);
  url.port = String((server.address() as { port: number }).port);
  return {
    url: url.toString(),
    cut() {
      cut = true;
      for (const s of sockets) s.destroy();
    },
    mend() {
      cut = false;
    },
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}
