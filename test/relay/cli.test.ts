import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDuration, parseSize } from '../../src/relay/cli.ts';
import { repoRoot, runCli, type CliResult } from '../support/cli.ts';

function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCli(['relay', ...args], { env: { ORKESTR_RELAY_ADMIN_TOKEN: '', ...env } });
}

describe('relay CLI', () => {
  it('exits 2 on bad usage with one clear line', async () => {
    const token = 'x'.repeat(20);
    // One after the other: six Node processes at once on a loaded 2-core machine start slower than six in turn.
    const answers: CliResult[] = [];
    for (const args of [
      ['--admin-token', token],
      ['--store', '/tmp/never.db'],
      ['--store', '/tmp/never.db', '--admin-token', 'short'],
      ['--store', '/tmp/never.db', '--admin-token', token, '--retention', 'forever'],
      ['--store', '/tmp/never.db', '--admin-token', token, '--max-body', 'lots'],
      ['--store', '/tmp/never.db', '--admin-token', token, '--bogus'],
    ]) {
      answers.push(await cli(args));
    }
    const [, noToken, , badRetention] = answers;
    expect(answers.map((r) => r.code)).toEqual([2, 2, 2, 2, 2, 2]);
    expect(noToken!.stderr).toContain('--admin-token is required');
    expect(badRetention!.stderr).toContain('--retention');
  });

  it('exits 1 when the store cannot be opened', async () => {
    const r = await cli(['--store', 'postgres://nobody@127.0.0.1:1/none', '--port', '0'], { ORKESTR_RELAY_ADMIN_TOKEN: 'x'.repeat(20) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('could not start the relay');
  });

  it('prints its options with --help', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const opt of ['--store', '--admin-token', '--retention', '--max-body', '--public-url', '--heartbeat']) expect(r.stdout).toContain(opt);
  });
});

describe('relay entry point (node src/relay/main.ts)', () => {
  const relayMain = (args: string[]): Promise<CliResult> => runCli(args, { script: join(repoRoot, 'src', 'relay', 'main.ts'), env: { ORKESTR_RELAY_ADMIN_TOKEN: '' } });

  it('answers --help with the same options as `orkestr-console relay`, under its own name', async () => {
    const r = await relayMain(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: node src\/relay\/main\.ts --store/);
    for (const opt of ['--store', '--admin-token', '--retention', '--max-body', '--max-feed', '--public-url', '--heartbeat']) expect(r.stdout).toContain(opt);
  });

  it('exits 2 on bad usage and 1 when the store cannot be opened', async () => {
    const usage = await relayMain(['--store', '/tmp/never.db']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe('relay: --admin-token is required (or set ORKESTR_RELAY_ADMIN_TOKEN). Run with --help.\n');
    const failure = await relayMain(['--store', 'postgres://nobody@127.0.0.1:1/none', '--port', '0', '--admin-token', 'x'.repeat(20)]);
    expect(failure.code).toBe(1);
    expect(failure.stderr).toContain('relay: could not start the relay');
  });
});

describe('option parsing', () => {
  it('reads durations and sizes', () => {
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(() => parseDuration('7 days')).toThrow();
    expect(parseSize('1MiB')).toBe(1_048_576);
    expect(parseSize('512KiB')).toBe(524_288);
    expect(parseSize('1000')).toBe(1000);
    expect(() => parseSize('-1')).toThrow();
  });
});
