import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDuration, parseSize } from '../../src/relay/cli.ts';
import { repoRoot } from './helpers.ts';

function cli(args: string[], env: Record<string, string> = {}): { status: number | null; stderr: string; stdout: string } {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'orkestr-console.mjs'), 'relay', ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ORKESTR_RELAY_ADMIN_TOKEN: '', ...env } });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe('relay CLI', () => {
  it('exits 2 on bad usage with one clear line', () => {
    expect(cli(['--admin-token', 'x'.repeat(20)]).status).toBe(2); // no --store
    const noToken = cli(['--store', '/tmp/never.db']);
    expect(noToken.status).toBe(2);
    expect(noToken.stderr).toContain('--admin-token is required');
    expect(cli(['--store', '/tmp/never.db', '--admin-token', 'short']).status).toBe(2);
    const badRetention = cli(['--store', '/tmp/never.db', '--admin-token', 'x'.repeat(20), '--retention', 'forever']);
    expect(badRetention.status).toBe(2);
    expect(badRetention.stderr).toContain('--retention');
    expect(cli(['--store', '/tmp/never.db', '--admin-token', 'x'.repeat(20), '--max-body', 'lots']).status).toBe(2);
    expect(cli(['--store', '/tmp/never.db', '--admin-token', 'x'.repeat(20), '--bogus']).status).toBe(2);
  });

  it('exits 1 when the store cannot be opened', () => {
    const r = cli(['--store', 'postgres://nobody@127.0.0.1:1/none', '--port', '0'], { ORKESTR_RELAY_ADMIN_TOKEN: 'x'.repeat(20) });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('could not start the relay');
  });

  it('prints its options with --help', () => {
    const r = cli(['--help']);
    expect(r.status).toBe(0);
    for (const opt of ['--store', '--admin-token', '--retention', '--max-body', '--public-url', '--heartbeat']) expect(r.stdout).toContain(opt);
  });
});

describe('relay entry point (node src/relay/main.ts)', () => {
  const relayMain = (args: string[]) => spawnSync(process.execPath, [join(repoRoot, 'src', 'relay', 'main.ts'), ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ORKESTR_RELAY_ADMIN_TOKEN: '' } });

  it('answers --help with the same options as `orkestr-console relay`, under its own name', () => {
    const r = relayMain(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: node src\/relay\/main\.ts --store/);
    for (const opt of ['--store', '--admin-token', '--retention', '--max-body', '--max-feed', '--public-url', '--heartbeat']) expect(r.stdout).toContain(opt);
  });

  it('exits 2 on bad usage and 1 when the store cannot be opened', () => {
    const usage = relayMain(['--store', '/tmp/never.db']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toBe('relay: --admin-token is required (or set ORKESTR_RELAY_ADMIN_TOKEN). Run with --help.\n');
    const failure = relayMain(['--store', 'postgres://nobody@127.0.0.1:1/none', '--port', '0', '--admin-token', 'x'.repeat(20)]);
    expect(failure.status).toBe(1);
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
