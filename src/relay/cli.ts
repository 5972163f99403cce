/**
 * The relay's command line, owned by the relay: `node src/relay/main.ts …` runs it on a server, and
 * the desktop CLI lists the same command as `orkestr-console relay …`.
 */
import { CliError, UsageError, integerOption, runCommand, stringOption, untilSignal, type Command } from '../shared/node/command-line.ts';
import { startRelay } from './server.ts';

export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: "${text}" (use e.g. 500ms, 30s, 15m, 12h, 7d)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] ?? 'ms']!;
  return Math.round(Number(m[1]) * unit);
}

export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB|k|K|M)?$/.exec(text.trim());
  if (!m) throw new Error(`not a size: "${text}" (use e.g. 65536, 512KiB, 1MiB)`);
  const units: Record<string, number> = { B: 1, KB: 1000, KiB: 1024, k: 1024, K: 1024, MB: 1_000_000, MiB: 1 << 20, M: 1 << 20, GB: 1e9, GiB: 1 << 30 };
  return Math.round(Number(m[1]) * units[m[2] ?? 'B']!);
}

/** True when a postgres:// URL carries a password (which `ps` would then show to every local user). */
export function storeUrlHasPassword(store: string): boolean {
  if (!/^postgres(ql)?:\/\//i.test(store)) return false;
  try {
    const url = new URL(store);
    return url.password !== '' || url.searchParams.has('password');
  } catch {
    return false;
  }
}

function warn(msg: string, fields: Record<string, unknown>): void {
  process.stderr.write(JSON.stringify({ ts: new Date().toISOString(), level: 'warn', msg, ...fields }) + '\n');
}

function optionWith<T>(raw: string | undefined, parse: (text: string) => T, name: string, fallback: T): T {
  if (raw === undefined) return fallback;
  try {
    return parse(raw);
  } catch (error) {
    throw new UsageError(`--${name}: ${(error as Error).message}`);
  }
}

export const relayCommand: Command = {
  name: 'relay',
  summary: 'Run the webhook relay: stores Orkestr webhooks durably and streams them to the consoles of a tenant.',
  usage:
    'relay --store <FILE | postgres://URL> --admin-token T [--port P] [--host H] [--retention 7d] [--max-body 1MiB]\n' +
    '             [--max-feed 32MiB] [--heartbeat 25s] [--public-url URL]\n\n' +
    '  --store         SQLite file (one node) or postgres:// URL (several nodes behind one URL), or set\n' +
    '                  ORKESTR_RELAY_STORE; put a database password in PGPASSWORD or ~/.pgpass, not here\n' +
    '  --admin-token   bearer token for the admin API and /metrics, ≥ 16 chars; prefer ORKESTR_RELAY_ADMIN_TOKEN\n' +
    '                  (a command line is visible to every local user in `ps`)\n' +
    '  --port P        TCP port (default 8787; 0 = any free port)\n' +
    '  --host H        interface to bind (default 127.0.0.1; use 0.0.0.0 in a container)\n' +
    '  --retention D   keep events this long (default 7d; units ms s m h d w)\n' +
    '  --max-body S    largest webhook body (default 1MiB; units B KiB MiB)\n' +
    '  --max-feed S    largest calendar feed snapshot (default 32MiB; about 500 bytes an event)\n' +
    '  --heartbeat D   heartbeat interval on device streams (default 25s)\n' +
    '  --public-url U  the HTTPS base URL senders and calendars use (default: the listening address)\n\n' +
    'Logs: one JSON line per event on stderr. Stops gracefully on SIGTERM/SIGINT. See docs/relay.md.',
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    store: { type: 'string' },
    'admin-token': { type: 'string' },
    retention: { type: 'string' },
    'max-body': { type: 'string' },
    'max-feed': { type: 'string' },
    heartbeat: { type: 'string' },
    'public-url': { type: 'string' },
  },
  async run(args) {
    const storeArg = stringOption(args, 'store');
    const store = storeArg || process.env['ORKESTR_RELAY_STORE'];
    if (!store) throw new UsageError('--store is required (or set ORKESTR_RELAY_STORE)');
    const tokenArg = stringOption(args, 'admin-token');
    const adminToken = tokenArg ?? process.env['ORKESTR_RELAY_ADMIN_TOKEN'];
    if (!adminToken) throw new UsageError('--admin-token is required (or set ORKESTR_RELAY_ADMIN_TOKEN)');
    if (adminToken.length < 16) throw new UsageError('--admin-token must be at least 16 characters');
    const port = integerOption(args, 'port', 8787, 0, 65535);
    const retentionMs = optionWith(stringOption(args, 'retention'), parseDuration, 'retention', 7 * 86_400_000);
    const maxBodyBytes = optionWith(stringOption(args, 'max-body'), parseSize, 'max-body', 1 << 20);
    const maxFeedBytes = optionWith(stringOption(args, 'max-feed'), parseSize, 'max-feed', 32 << 20);
    const heartbeatMs = optionWith(stringOption(args, 'heartbeat'), parseDuration, 'heartbeat', 25_000);
    if (retentionMs < 1000) throw new UsageError('--retention must be at least 1s');
    if (maxBodyBytes < 1 || maxBodyBytes > 64 << 20) throw new UsageError('--max-body must be between 1 byte and 64MiB');
    if (maxFeedBytes < 1024 || maxFeedBytes > 512 << 20) throw new UsageError('--max-feed must be between 1KiB and 512MiB');
    if (heartbeatMs < 100) throw new UsageError('--heartbeat must be at least 100ms');
    const publicUrl = stringOption(args, 'public-url');
    if (publicUrl !== undefined && !/^https?:\/\/[^/]+/i.test(publicUrl)) throw new UsageError('--public-url must be an http(s) URL');

    // Secrets on the command line: allowed (tests, a quick try), but said, once, at start.
    if (storeArg && storeUrlHasPassword(storeArg)) {
      warn('secret_on_command_line', { option: '--store', hint: 'the password is visible in ps: use PGPASSWORD, ~/.pgpass or ORKESTR_RELAY_STORE' });
    }
    if (tokenArg !== undefined) warn('secret_on_command_line', { option: '--admin-token', hint: 'the token is visible in ps: use ORKESTR_RELAY_ADMIN_TOKEN' });

    let relay;
    try {
      relay = await startRelay({
        port,
        host: stringOption(args, 'host') ?? '127.0.0.1',
        store,
        adminToken,
        retentionMs,
        maxBodyBytes,
        maxFeedBytes,
        heartbeatMs,
        ...(publicUrl ? { publicUrl } : {}),
        sqliteWriterThread: true,
        log: (line) => process.stderr.write(line + '\n'),
      });
    } catch (error) {
      throw new CliError(`could not start the relay: ${(error as Error).message}`);
    }
    console.log(`relay listening at ${relay.url} (public ${relay.publicUrl}, store ${relay.storeKind})`);
    const signal = await untilSignal();
    process.stderr.write(JSON.stringify({ ts: new Date().toISOString(), level: 'info', msg: 'signal', signal }) + '\n');
    await relay.close();
    return 0;
  },
};

/** The relay's own entry point (src/relay/main.ts): the same command, its usage without the desktop's program name. */
export function relayMain(argv: string[]): Promise<number> {
  return runCommand(relayCommand, argv, {
    label: 'relay',
    help: `Usage: node src/relay/main.ts ${relayCommand.usage.replace(/^relay /, '')}\n\n${relayCommand.summary}`,
    usageHint: 'Run with --help.',
  });
}
