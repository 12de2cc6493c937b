import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/index.js';
import { flink } from './helpers.js';

describe('lutflow flink: help and bad input', () => {
  it('--help lists every subcommand, every option with its default, and examples', () => {
    const r = cli(['flink', 'submit', '--help']);
    expect(r.code).toBe(0);
    const parts = ['flink sql', 'flink submit', 'flink status', 'flink stop', '--restore PATH', '--windows-from TIME', '(1m)', 'examples:'];
    for (const s of parts) expect(r.stdout).toContain(s);
  });

  it('a bad value is refused with exit 2, naming the flag', () => {
    const cases: [string[], RegExp][] = [
      [['sql', '--brokers', ''], /--brokers is required/],
      [['sql', '--brokers', 'nope'], /--brokers: expected host:port/],
      [['sql', '--brokers', 'k:9092', '--window', '5500ms'], /--window: must be a whole number of seconds/],
      [['sql', '--brokers', 'k:9092', '--lateness', 'soon'], /--lateness: expected a duration/],
      [['sql', '--brokers', 'k:9092', '--name', 'a/b'], /--name: must be 1-200 of/],
      [['sql', '--brokers', 'k:9092', '--checkpoint-interval', '10ms'], /--checkpoint-interval: must be/],
      [['sql', '--brokers', 'k:9092', '--start', 'yesterday'], /--start: expected group-offsets, earliest, latest or a/],
      [['sql', '--brokers', 'k:9092', '--windows-from', 'May 1'], /--windows-from: expected a time/],
      [['submit', '--brokers', 'k:9092', '--gateway', 'ftp://x'], /--gateway: expected an http\(s\) URL/],
      [['status', '--gateway', 'http://127.0.0.1:8083', '--rest', 'nope'], /--rest: expected an http\(s\) URL/],
      [['stop', '--gateway', 'http://127.0.0.1:8083', '--job', 'xyz'], /--job: expected a Flink job id/],
      [['frob'], /unknown subcommand 'frob'/],
    ];
    for (const [args, message] of cases) {
      const r = cli(['flink', ...args]);
      expect({ args, code: r.code, ok: message.test(r.stderr) }).toEqual({ args, code: 2, ok: true });
    }
  });

  it('prints the job with the options filled in; --windows-from keeps the earlier windows out', () => {
    const r = cli(['flink', 'sql', '--brokers', 'k:9092', '--window', '1m', '--windows-from', '2026-05-01T11:59:00Z']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/\$\{[A-Z_]+\}/);
    expect(r.stdout).toContain(`window_end_ms - 60000 >= ${Date.parse('2026-05-01T11:59:00Z')}`);
    expect(r.stdout).toContain("INTERVAL '60' SECOND");
    expect(cli(['flink', 'sql', '--brokers', 'k:9092']).stdout).toContain('WHERE NOT too_late AND TRUE');
  });

  it('a cluster that cannot be reached, or has no such job, is said so', () => {
    const down = cli(['flink', 'status', '--gateway', 'http://127.0.0.1:9']);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot reach the Flink SQL Gateway at http:\/\/127.0.0.1:9/);
    const none = cli(['flink', 'status', '--gateway', flink().gateway, '--name', 'no-such-job']);
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/no job named no-such-job on this cluster/);
  });
});
