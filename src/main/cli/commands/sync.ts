import type { SyncStatus } from '../../../shared/contract/types.ts';
import type { ConsoleCore } from '../../core/index.ts';
import { CliError, UsageError, integerOption, requiredString, stringListOption, stringOption, untilSignal, type Command } from '../command.ts';

export const syncCommand: Command = {
  name: 'sync',
  summary: 'Sync the local replica with an Orkestr server: pull changes, push queued intents.',
  usage: 'sync --api URL --key KEY --db FILE [--once [--timeout SECONDS]] [--poll SECONDS] [--retain-past-days N|all] [--relay CHANNEL_URL --relay-token T --webhook-secret S]\n\n' +
    '  --api URL       server base URL (e.g. https://api.orkestr.in/v1 or a sandbox URL)\n' +
    '  --key KEY       API key ork_<prefix>.<secret> (or env ORKESTR_API_KEY)\n' +
    '  --db FILE       the replica (SQLite; created when missing)\n' +
    '  --once          pull once, push the outbox, then exit (progress on stderr):\n' +
    '                    0  both done;\n' +
    '                    1  not finished: the server could not be reached within --timeout, refused the key,\n' +
    '                       or the key is read-only (queued actions are kept in the replica either way);\n' +
    '                    3  finished, but the server refused some queued actions (see `conflicts list`)\n' +
    '  --timeout SECONDS  how long --once keeps trying (default 30)\n' +
    '  --poll SECONDS  PENDING poll interval when running continuously (default 10)\n' +
    '  --retain-past-days N|all  keep past bookings only N days in the replica (stored as the setting; pruned\n' +
    '                  in the background, before exit with --once); "all" keeps every one again (the default)\n' +
    '  --relay URL     the relay channel to receive webhooks from (…/v1/channels/ch_…; continuous mode)\n' +
    '  --relay-token T this device\'s relay token (or env ORKESTR_RELAY_TOKEN)\n' +
    '  --webhook-secret S  the webhook signing secret; repeat it to accept the previous one during a rotation\n' +
    'Without --once it runs until SIGINT/SIGTERM, printing a status line on every change.',
  options: {
    api: { type: 'string' },
    key: { type: 'string' },
    db: { type: 'string' },
    once: { type: 'boolean' },
    timeout: { type: 'string' },
    poll: { type: 'string' },
    'retain-past-days': { type: 'string' },
    relay: { type: 'string' },
    'relay-token': { type: 'string' },
    'webhook-secret': { type: 'string', multiple: true },
  },
  async run(args) {
    const url = requiredString(args, 'api');
    const key = stringOption(args, 'key') ?? process.env['ORKESTR_API_KEY'];
    if (!key) throw new UsageError('--key is required (or set ORKESTR_API_KEY)');
    if (!/^ork_[a-z0-9]{8}\.[A-Za-z0-9_-]{16,64}$/.test(key)) throw new UsageError('--key must look like ork_<8 lowercase letters/digits>.<16-64 characters>');
    try {
      new URL(url);
    } catch {
      throw new UsageError(`--api must be a URL, got "${url}"`);
    }
    const dbFile = requiredString(args, 'db');
    const poll = integerOption(args, 'poll', 10, 1, 3600);
    const retainRaw = stringOption(args, 'retain-past-days');
    let retain: number | null | undefined;
    if (retainRaw === 'all') retain = null;
    else if (retainRaw !== undefined) {
      if (!/^\d{1,5}$/.test(retainRaw) || Number(retainRaw) < 1 || Number(retainRaw) > 36_500) throw new UsageError(`--retain-past-days must be a whole number of days from 1 to 36500, or "all"; got "${retainRaw}"`);
      retain = Number(retainRaw);
    }
    const timeout = integerOption(args, 'timeout', 30, 1, 86_400);
    if (stringOption(args, 'timeout') !== undefined && !args.values['once']) throw new UsageError('--timeout goes with --once');
    const relayUrl = stringOption(args, 'relay');
    const relayToken = stringOption(args, 'relay-token') ?? process.env['ORKESTR_RELAY_TOKEN'];
    const secrets = stringListOption(args, 'webhook-secret');
    let relay: { url: string; channelId: string } | null = null;
    if (relayUrl) {
      if (!relayToken) throw new UsageError('--relay needs --relay-token (or ORKESTR_RELAY_TOKEN)');
      if (secrets.length === 0) throw new UsageError('--relay needs --webhook-secret: webhooks are verified before they are applied');
      if (args.values['once']) throw new UsageError('--relay streams webhooks continuously; it cannot be combined with --once');
      const { parseRelayChannelUrl } = await import('../../app.ts');
      try {
        relay = parseRelayChannelUrl(relayUrl);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    } else if (stringOption(args, 'relay-token') !== undefined || secrets.length > 0) {
      throw new UsageError('--relay-token and --webhook-secret need --relay');
    }
    const { ConsoleCore, acquireWriterLock, scheduleDailyBackups } = await import('../../core/index.ts');
    const once = args.values['once'] === true;
    // A continuous sync owns the replica (a second one refuses, naming this one); `--once` works
    // alongside an owner: the outbox claims each intent before sending it.
    const { resolve } = await import('node:path');
    const writerLock = once ? null : acquireWriterLock(resolve(dbFile), `orkestr-console sync --api ${url}`);
    let core;
    try {
      core = new ConsoleCore({ dbFile, api: { url, key }, transport: 'bridge', appVersion: 'cli', holdMs: 0, pollIntervalMs: poll * 1000 });
    } catch (error) {
      writerLock?.release();
      throw new CliError(`cannot open ${dbFile}: ${(error as Error).message}`);
    }
    if (retain !== undefined) await core.handlers['settings.set']({ retainPastDays: retain });
    if (once) return syncOnce(core, url, timeout);
    const line = (s: SyncStatus): void => {
      const progress = s.progress ? ` ${s.progress.phase} ${s.progress.done}${s.progress.total !== null ? `/${s.progress.total}` : ''}` : '';
      console.log(`${new Date().toISOString()} ${s.connection}${progress} outbox=${s.outboxLength} attention=${s.conflicts} last=${s.lastSyncAt ?? '-'}${s.reason ? ` (${s.reason})` : ''}`);
    };
    // Listening for SIGINT/SIGTERM before the first status line: a signal sent as soon as that line
    // appears would otherwise end the process the default way (no clean close, owner file left).
    const stopped = untilSignal();
    core.on((event, payload) => {
      if (event === 'sync.status') line(payload as SyncStatus);
    });
    core.start();
    const stopBackups = scheduleDailyBackups(core.replica.sqlite, resolve(dbFile), (text) => console.log(`${new Date().toISOString()} ${text}`));
    let link: { close(): Promise<void> } | null = null;
    if (relay && relayToken) {
      const { startRelayLink } = await import('../../core/index.ts');
      link = startRelayLink(core, {
        ...relay,
        deviceToken: relayToken,
        secrets,
        log: (text) => console.log(`${new Date().toISOString()} ${text}`),
        onStatus: (status) => console.log(`${new Date().toISOString()} relay ${status.state}${'reason' in status && status.reason ? ` (${status.reason})` : ''}`),
      });
    }
    const signal = await stopped;
    console.log(`${signal}: stopping`);
    stopBackups();
    await link?.close();
    await core.close();
    writerLock?.release();
    return 0;
  },
};

/** Exit code of `sync --once` when it finished but the server refused some queued actions. */
export const refusedExitCode = 3;

/**
 * `sync --once`: one pull and push, bounded by `timeoutSeconds`, saying on stderr what it is doing or
 * waiting for. Exit 0 done; 1 not finished (queued actions kept); 3 finished with refusals.
 */
async function syncOnce(core: ConsoleCore, url: string, timeoutSeconds: number): Promise<number> {
  let last = '';
  const off = core.on((event, payload) => {
    if (event !== 'sync.status') return;
    const s = payload as SyncStatus;
    const what = s.progress ? `${s.connection}: ${s.progress.phase}` : s.reason ? `${s.connection}: ${s.reason}` : s.connection;
    if (what === last) return;
    last = what;
    console.error(`sync: ${what}`);
  });
  console.error(`sync: contacting ${url} (giving up after ${timeoutSeconds} s)`);
  try {
    const r = await core.runOnce(timeoutSeconds * 1000);
    // Retention (settings.retainPastDays) prunes before a one-shot sync exits.
    await core.pruner.kick();
    const s = core.status();
    console.log(
      `pull ${r.pulled ? 'ok' : 'FAILED'}, push ${r.pushed ? 'ok' : 'FAILED'}: sent ${r.sent}, refused ${r.conflicts}; outbox ${s.outboxLength}, needs attention ${s.conflicts}` +
        (r.error ? `; ${r.error}` : ''),
    );
    const kept = `${s.outboxLength} queued action${s.outboxLength === 1 ? ' is' : 's are'} kept in the replica and sent by the next sync`;
    if (!r.pulled && r.unreachable) {
      console.error(`sync: gave up after ${timeoutSeconds} s: ${url} could not be reached. ${kept}.`);
      return 1;
    }
    if (r.blocked > 0) {
      console.error(`sync: the API key is read-only: ${kept} with a key that has the write scope.`);
      return 1;
    }
    if (!r.pulled || !r.pushed) {
      console.error(`sync: not finished. ${kept}.`);
      return 1;
    }
    if (r.conflicts > 0) {
      console.error(`sync: the server refused ${r.conflicts} queued action${r.conflicts === 1 ? '' : 's'}: see "orkestr-console conflicts list --db FILE".`);
      return refusedExitCode;
    }
    return 0;
  } finally {
    off();
    await core.close();
  }
}
