#!/usr/bin/env node
import { COMMANDS } from './commands/index.js';
import { UsageError, type Io } from './command.js';

const io: Io = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };

function overview(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return ['usage: lutflow <command> [options]   (lutflow <command> --help for its options)', '', 'commands:', ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)].join('\n');
}

/** The only place an error becomes an exit code: 2 for usage, 1 for everything else. */
async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') { io.out(overview()); return name ? 0 : 2; }
  const entry = COMMANDS[name];
  if (!entry) { io.err(`lutflow: unknown command '${name}'\n\n${overview()}`); return 2; }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) { io.out(command.usage); return 0; }
  try {
    await command.run(rest, io);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) { io.err(`lutflow ${name}: ${err.message}\n\n${command.usage}`); return 2; }
    const e = err as Error & { code?: string; field?: string };
    io.err(`lutflow ${name}: ${e.code ? `[${e.code}] ` : ''}${e.message}`);
    if (process.env.LUTFLOW_DEBUG) io.err(e.stack ?? '');
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
// A command that failed has said why: a client still retrying a broker (or a socket a failed job left open)
// must not keep the process alive, so that a supervisor sees the exit and starts it again.
if (process.exitCode !== 0) setTimeout(() => process.exit(), 2_000).unref();
