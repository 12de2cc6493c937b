import { cpSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadPcpoModel } from '../../model/index.js';
import { VersionRegistry, type VersionInfo } from '../../training/index.js';
import { parse, required, UsageError, type Command, type Io } from '../command.js';

const fmt = (n: number | null | undefined) => (n === null || n === undefined ? '-' : String(n));

function table(io: Io, versions: readonly VersionInfo[]): void {
  const rows = versions.map((v) => [
    v.current ? '*' : v.in_chain ? 'r' : v.refused ? 'x' : ' ',
    v.version,
    v.created_at.slice(0, 19).replace('T', ' '),
    `${v.data.source}${v.data.delta_version === null ? '' : `@v${v.data.delta_version}`}`,
    String(v.data.rows),
    fmt(v.cv.self_hosted?.median_ape),
    fmt(v.cv.api?.median_ape),
  ]);
  const head = [' ', 'version', 'created (UTC)', 'data', 'runs', 'self-hosted APE %', 'API APE %'];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [head, ...rows]) io.out(r.map((c, i) => c.padEnd(width[i])).join('  ').trimEnd());
  io.out('* serving   r rollback path   x refused by the promotion gate   (APE: cross-validated median)');
}

const command: Command = {
  summary: 'the model registry: list versions, promote one, roll back',
  usage: `usage: lutflow models list --registry DIR [--json]
       lutflow models promote VERSION --registry DIR
       lutflow models rollback --registry DIR
       lutflow models add MODEL_DIR --registry DIR [--promote]

The registry (written by lutflow retrain) keeps each model in DIR/versions/VERSION and points DIR/current at the
one serving; 'lutflow serve --model DIR' follows the pointer and reloads without a restart.
  list       every version, newest last: serving (*), on the rollback path (r), refused by the gate (x)
  promote    point DIR/current at VERSION now (an operator's decision: no gate), after loading it whole
  rollback   back to the version promoted before the serving one (repeat to go further back)
  add        copy a model directory (from lutflow train) in as a version; --promote also serves it`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { registry: { type: 'string' }, json: { type: 'boolean' }, promote: { type: 'boolean' } });
    const [action, arg, ...extra] = positionals;
    if (extra.length) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    const registry = new VersionRegistry(required(values.registry, 'registry'));
    const needs = () => {
      if (!VersionRegistry.isRegistry(registry.dir)) throw new UsageError(`--registry ${registry.dir}: not a model registry (no versions/); lutflow retrain or models add creates one`);
    };
    switch (action) {
      case 'list': {
        needs();
        const versions = registry.list();
        if (values.json) io.out(JSON.stringify({ registry: registry.dir, current: registry.current(), versions }, null, 2));
        else if (!versions.length) io.err(`${registry.dir}: no versions yet`);
        else table(io, versions);
        return;
      }
      case 'promote': {
        needs();
        if (!arg) throw new UsageError('models promote: which VERSION? (lutflow models list shows them)');
        const unlock = registry.lock();
        try {
          const e = registry.promote(arg, 'promoted by hand (lutflow models promote)');
          io.out(JSON.stringify(e));
        } finally {
          unlock();
        }
        return;
      }
      case 'rollback': {
        needs();
        const unlock = registry.lock();
        try {
          io.out(JSON.stringify(registry.rollback('rolled back by hand (lutflow models rollback)')));
        } finally {
          unlock();
        }
        return;
      }
      case 'add': {
        if (!arg || !existsSync(arg)) throw new UsageError(`models add: expected a model directory, got '${arg ?? ''}'`);
        const model = loadPcpoModel(arg);
        registry.init();
        const unlock = registry.lock();
        try {
          const staging = join(registry.versionsDir, `.add-${process.pid}`);
          rmSync(staging, { recursive: true, force: true });
          cpSync(arg, staging, { recursive: true });
          const version = registry.add(staging);
          io.out(JSON.stringify(values.promote ? registry.promote(version, 'added and promoted by hand (lutflow models add --promote)') : { added: version, version: model.version }));
        } finally {
          unlock();
        }
        return;
      }
      default:
        throw new UsageError(action ? `unknown action '${action}': expected list, promote, rollback or add` : 'expected list, promote, rollback or add');
    }
  },
};
export default command;
