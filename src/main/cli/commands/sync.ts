import type { SyncStatus } from '../../../shared/contract/types.ts';
import { CliError, UsageError, integerOption, requiredString, stringListOption, stringOption, untilSignal, type Command } from '../command.ts';

export const syncCommand: Command = {
  name: 'sync',
  summary: 'Sync the local replica with an Orkestr server: pull changes, push queued intents.',
  usage: 'sync --api URL --key KEY --db FILE [--once] [--poll SECONDS] [--relay CHANNEL_URL --relay-token T --webhook-secret S]\n\n' +
    '  --api URL       server base URL (e.g. https://api.orkestr.in/v1 or a sandbox URL)\n' +
    '  --key KEY       API key ork_<prefix>.<secret> (or env ORKESTR_API_KEY)\n' +
    '  --db FILE       the replica (SQLite; created when missing)\n' +
    '  --once          pull once, push the outbox, exit 0 only when both succeeded\n' +
    '  --poll SECONDS  PENDING poll interval when running continuously (default 10)\n' +
    '  --relay URL     the relay channel to receive webhooks from (…/v1/channels/ch_…; continuous mode)\n' +
    '  --relay-token T this device\'s relay token (or env ORKESTR_RELAY_TOKEN)\n' +
    '  --webhook-secret S  the webhook signing secret; repeat it to accept the previous one during a rotation\n' +
    'Without --once it runs until SIGINT/SIGTERM, printing a status line on every change.',
  options: {
    api: { type: 'string' },
    key: { type: 'string' },
    db: { type: 'string' },
    once: { type: 'boolean' },
    poll: { type: 'string' },
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
    const { ConsoleCore } = await import('../../core/core.ts');
    const { acquireWriterLock, scheduleDailyBackups } = await import('../../core/index.ts');
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
    if (once) {
      try {
        const r = await core.runOnce();
        const s = core.status();
        console.log(
          `pull ${r.pulled ? 'ok' : 'FAILED'}, push ${r.pushed ? 'ok' : 'FAILED'}: sent ${r.sent}, conflicts ${r.conflicts}; outbox ${s.outboxLength}, needs attention ${s.conflicts}` +
            (r.error ? `; ${r.error}` : ''),
        );
        return r.pulled && r.pushed ? 0 : 1;
      } finally {
        await core.close();
      }
    }
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
      const { startRelayLink } = await import('../../core/relay/relay-link.ts');
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
