import pg from 'pg';
import { FileLedger, PgLedger, type Ledger, type LedgerPolicy } from '../../serving/index.js';
import { tempDir } from '../helpers/index.js';
import { faultyFs } from './faulty-fs.js';
import { cuttableProxy, freshDatabase } from './pg.js';

/**
 * One ledger store under test, so that every invariant and test runs against each store alike
 * (STYLE.md 16: one interface, many backends, same tests).
 */
export interface StoreHarness {
  readonly name: 'file' | 'postgres';
  /** A ledger on empty state. */
  fresh(opts: { clock: () => number; policy?: LedgerPolicy }): Promise<Ledger>;
  /** The same state seen by a new process, as after a kill -9 (the previous ledger is closed first). */
  reopen(): Promise<Ledger>;
  /** The store fails: a full disk (file) or a database that went away (postgres). */
  fault(on: boolean): void;
  /** Another process on the same state, alongside the current one (replicas); undefined for a single-writer store. */
  another(): Promise<Ledger | undefined>;
  /** Whether reads still answer during a fault (a full disk still reads; a lost database does not). */
  readonly readsDuringFault: boolean;
  dispose(): Promise<void>;
}

const quiet = { warn() {}, error() {} };

export function fileStore(): StoreHarness {
  let dir = '';
  let disk: ReturnType<typeof faultyFs>;
  let current: Ledger | undefined;
  let opts: { clock: () => number; policy?: LedgerPolicy };
  const open = () => (current = new FileLedger({ dir, fs: disk, clock: opts.clock, policy: opts.policy, compactBytes: 2048, log: quiet }));
  return {
    name: 'file',
    readsDuringFault: true,
    async fresh(o) {
      await current?.close();
      opts = o;
      dir = tempDir('lutflow-ledger-store-');
      disk = faultyFs(dir, 1 << 30);
      return open();
    },
    async reopen() {
      await current?.close();
      return open();
    },
    fault(on) {
      disk.capacity = on ? 0 : 1 << 30;
    },
    another: async () => undefined,
    async dispose() {
      await current?.close();
    },
  };
}

export async function postgresStore(): Promise<StoreHarness> {
  const url = await freshDatabase();
  const proxy = await cuttableProxy(url);
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  let current: PgLedger | undefined;
  const others: PgLedger[] = [];
  let opts: { clock: () => number; policy?: LedgerPolicy };
  const open = async () => (current = await PgLedger.open({ url: proxy.url, clock: opts.clock, policy: opts.policy, poolSize: 4, log: quiet }));
  return {
    name: 'postgres',
    readsDuringFault: false,
    async fresh(o) {
      await current?.close();
      opts = o;
      proxy.mend();
      const ledger = await open();
      await admin.query('TRUNCATE lutflow_budgets, lutflow_spend_hours, lutflow_charged_events, lutflow_reservations, lutflow_alerts');
      return ledger;
    },
    async reopen() {
      await current?.close();
      return open();
    },
    fault(on) {
      if (on) proxy.cut();
      else proxy.mend();
    },
    async another() {
      const l = await PgLedger.open({ url, clock: opts.clock, policy: opts.policy, poolSize: 4, log: quiet });
      others.push(l);
      return l;
    },
    async dispose() {
      await Promise.all(others.map((l) => l.close()));
      await current?.close();
      await admin.end();
      await proxy.close();
    },
  };
}

export const STORES: readonly { name: StoreHarness['name']; make: () => Promise<StoreHarness> }[] = [
  { name: 'file', make: async () => fileStore() },
  { name: 'postgres', make: postgresStore },
];
