import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFeatureBuilder } from '../features/index.js';
import { builtinCatalog } from '../pricing/index.js';
import { readRunRecords } from '../training/index.js';
import { buildServer } from './app.js';
import { parseApiKeys, type ApiKey } from './auth.js';
import type { AlertWebhook, FsyncPolicy } from './ledger/index.js';
import { kafkaStreaming } from './streaming.js';

export interface ServeOptions {
  readonly modelDir: string;
  readonly host: string;
  readonly port: number;
  readonly ledgerDir?: string;
  readonly ledgerFsync?: FsyncPolicy;
  /** A PostgreSQL ledger shared by replicas (LUTFLOW_LEDGER_URL); the file ledger in `ledgerDir` otherwise. */
  readonly ledgerUrl?: string;
  /** A run table to replay into the tenant history before serving. */
  readonly historyTable?: string;
  /** A development key for all tenants, kept in the ledger directory, when no keys are configured. */
  readonly devKey?: boolean;
  /** Kafka brokers: spend out on lut.telemetry, windows in from lut.cost-windows (the server's own windows when absent). */
  readonly kafkaBrokers?: readonly string[];
  readonly log: (line: string) => void;
}

/** Keys from LUTFLOW_API_KEYS; a development key only when asked for. */
export function resolveKeys(opts: Pick<ServeOptions, 'devKey' | 'ledgerDir'>, env = process.env): { keys: ApiKey[]; devKey?: string } {
  if (env.LUTFLOW_API_KEYS) return { keys: parseApiKeys(env.LUTFLOW_API_KEYS) };
  if (!opts.devKey) throw new Error('no API keys configured: set LUTFLOW_API_KEYS (e.g. "key-of-16-chars-or-more=acme,globex;admin-key-16-chars=*")');
  const dir = opts.ledgerDir ?? '.';
  const file = join(dir, 'dev-api-key');
  mkdirSync(dir, { recursive: true });
  if (!existsSync(file)) writeFileSync(file, `dev-${randomBytes(16).toString('hex')}\n`, { mode: 0o600 });
  const key = readFileSync(file, 'utf8').trim();
  return { keys: [{ key, tenants: ['*'], name: 'development' }], devKey: key };
}

export async function serve(opts: ServeOptions) {
  const catalog = builtinCatalog();
  const builder = createFeatureBuilder({ catalog });
  if (opts.historyTable && existsSync(join(opts.historyTable, '_delta_log'))) {
    const { records } = await readRunRecords(opts.historyTable);
    for (const r of records) builder.observe(r);
    opts.log(`tenant history: ${records.length} runs from ${opts.historyTable}`);
  }
  const { keys, devKey } = resolveKeys(opts);
  const streaming = opts.kafkaBrokers?.length
    ? await kafkaStreaming(opts.kafkaBrokers, (level, message, fields) => opts.log(JSON.stringify({ level, msg: message, ...fields })))
    : undefined;
  const { app, context } = await buildServer({
    modelDir: opts.modelDir, apiKeys: keys, ledgerDir: opts.ledgerDir, ledgerFsync: opts.ledgerFsync, catalog, builder,
    ledgerUrl: opts.ledgerUrl ?? (process.env.LUTFLOW_LEDGER_URL || undefined), alertWebhook: webhookFromEnv(process.env),
    logger: { level: process.env.LUTFLOW_LOG_LEVEL ?? 'info' }, streaming,
  }).catch(async (err: unknown) => {
    await streaming?.close();
    throw err;
  });
  // A port in use: close what was opened (the ledger, Kafka clients) so that the error ends the process.
  const address = await app.listen({ host: opts.host, port: opts.port }).catch(async (err: unknown) => {
    await app.close();
    throw err;
  });
  return { app, context, address, devKey };
}

/** The default alert webhook: LUTFLOW_ALERT_WEBHOOK_URL, with LUTFLOW_ALERT_WEBHOOK_SECRET and _FORMAT (json or slack). */
export function webhookFromEnv(env: NodeJS.ProcessEnv): AlertWebhook | undefined {
  const url = env.LUTFLOW_ALERT_WEBHOOK_URL;
  if (!url) return undefined;
  const format = env.LUTFLOW_ALERT_WEBHOOK_FORMAT;
  if (format !== undefined && format !== 'json' && format !== 'slack') throw new Error(`LUTFLOW_ALERT_WEBHOOK_FORMAT must be json or slack, got '${format}'`);
  return { url, ...(env.LUTFLOW_ALERT_WEBHOOK_SECRET ? { secret: env.LUTFLOW_ALERT_WEBHOOK_SECRET } : {}), ...(format ? { format } : {}) };
}
