import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export interface Command {
  readonly summary: string;
  readonly usage: string;
  run(argv: string[], io: Io): Promise<void>;
}

/** A user mistake on the command line: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

export function parse<T extends Options>(argv: string[], options: T): { values: { [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : string }; positionals: string[] } {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true }) as never;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function intFlag(v: string | undefined, flag: string, fallback?: number): number {
  if (v === undefined) {
    if (fallback === undefined) throw new UsageError(`--${flag} is required`);
    return fallback;
  }
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${flag}: expected a positive integer, got '${v}'`);
  return n;
}

export function required(v: string | undefined, flag: string): string {
  if (!v) throw new UsageError(`--${flag} is required`);
  return v;
}

/** A repeatable `--data` (parsed with `multiple: true`): one path or more. */
export function dataPaths(v: unknown): string[] {
  const paths = Array.isArray(v) ? (v as string[]) : typeof v === 'string' ? [v] : [];
  if (!paths.length) throw new UsageError('--data is required');
  return paths;
}
