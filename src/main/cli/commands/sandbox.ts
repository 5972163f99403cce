import { CliError, UsageError, integerOption, requiredString, stringListOption, stringOption, untilSignal, type Command } from '../command.ts';
import { parseKeySpec, startSandbox, type SandboxOptions } from '../../../sandbox/index.ts';

function parseSeed(raw: string | undefined): SandboxOptions['seed'] {
  if (raw === undefined || raw === 'none') return raw === undefined ? undefined : 'none';
  if (raw === 'demo') return 'demo';
  const out: Record<string, number> = {};
  for (const part of raw.split(',')) {
    const m = /^(bookings|offerings)=(\d+)$/.exec(part.trim());
    if (!m) throw new UsageError(`--seed must be "demo", "none" or "bookings=N,offerings=M", got "${raw}"`);
    out[m[1]!] = Number(m[2]);
  }
  const bookings = out['bookings'] ?? 0;
  const offerings = out['offerings'] ?? (bookings > 0 ? 20 : 0);
  if (bookings > 2_000_000 || offerings > 100_000) throw new UsageError('--seed: at most bookings=2000000, offerings=100000');
  if (bookings > 0 && offerings === 0) throw new UsageError('--seed: bookings need at least one offering');
  return { bookings, offerings };
}

export const sandboxCommand: Command = {
  name: 'sandbox',
  summary: 'Run a local Orkestr API v1 sandbox (the demo tenant and the test server).',
  usage: [
    'sandbox --data FILE [options]',
    '',
    'Options:',
    '  --data FILE               SQLite file holding the sandbox state (created and seeded when new)',
    '  --port N                  port on 127.0.0.1 (default 4010; 0 = any free port)',
    '  --host ADDR               address to bind (default 127.0.0.1)',
    '  --key KEY[:scopes][@tenant]  accept this API key, e.g. ork_abcd1234.secretsecretsecret:read@harbor',
    '                            (repeatable; scopes default read,write; tenant default atlas)',
    '  --seed demo | bookings=N,offerings=M | none   rows for a new data file (default none)',
    '  --webhook-url URL         deliver tenant atlas webhooks to URL (needs --webhook-secret)',
    '  --webhook-secret SECRET   HMAC-SHA256 signing secret for those webhooks',
    '  --webhook-retry-base MS   first retry delay (default 1000; doubles each retry)',
    '  --live SECONDS            simulated customers act every SECONDS (new bookings, cancels, disputes, reviews)',
    '  --rate-limit N            requests per minute per key (default 1000)',
    '  --admin-token T           token for /_sandbox/* (random when absent, printed at start)',
    '  --quiet                   print only the listening line',
    '',
    'Runs until SIGINT/SIGTERM.',
  ].join('\n'),
  options: {
    data: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    key: { type: 'string', multiple: true },
    seed: { type: 'string' },
    'webhook-url': { type: 'string' },
    'webhook-secret': { type: 'string' },
    'webhook-retry-base': { type: 'string' },
    live: { type: 'string' },
    'rate-limit': { type: 'string' },
    'admin-token': { type: 'string' },
    quiet: { type: 'boolean' },
  },
  async run(args) {
    const dataFile = requiredString(args, 'data');
    const port = integerOption(args, 'port', 4010, 0, 65535);
    const keys = stringListOption(args, 'key');
    for (const k of keys) {
      try {
        parseKeySpec(k);
      } catch (e) {
        throw new UsageError(`--key ${k.slice(0, 13)}…: ${(e as Error).message}`);
      }
    }
    const seed = parseSeed(stringOption(args, 'seed'));
    const webhookUrl = stringOption(args, 'webhook-url');
    const webhookSecret = stringOption(args, 'webhook-secret');
    if ((webhookUrl === undefined) !== (webhookSecret === undefined)) throw new UsageError('--webhook-url and --webhook-secret go together');
    if (webhookUrl !== undefined && !/^https?:\/\/\S+$/.test(webhookUrl)) throw new UsageError(`--webhook-url must be an http(s) URL, got "${webhookUrl}"`);
    const retryBaseMs = integerOption(args, 'webhook-retry-base', 1000, 1, 3_600_000);
    const live = integerOption(args, 'live', 0, 0, 86_400);
    const rateLimitPerMinute = integerOption(args, 'rate-limit', 1000, 1, 10_000_000);
    const adminToken = stringOption(args, 'admin-token');
    if (adminToken !== undefined && adminToken.length < 8) throw new UsageError('--admin-token must be at least 8 characters');
    const quiet = args.values['quiet'] === true;

    let sandbox;
    try {
      sandbox = await startSandbox({
        dataFile,
        port,
        ...(stringOption(args, 'host') !== undefined ? { host: stringOption(args, 'host') } : {}),
        keys,
        ...(seed !== undefined ? { seed } : {}),
        ...(adminToken !== undefined ? { adminToken } : {}),
        ...(webhookUrl !== undefined && webhookSecret !== undefined ? { webhook: { url: webhookUrl, secret: webhookSecret, retryBaseMs } } : {}),
        ...(live > 0 ? { live } : {}),
        rateLimitPerMinute,
        log: quiet ? () => undefined : (line) => console.error(`[sandbox ${new Date().toISOString()}] ${line}`),
      });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'EADDRINUSE') throw new CliError(`port ${port} is already in use; pick another with --port (0 = any free port)`);
      throw new CliError(`could not start the sandbox: ${err.message}`);
    }
    console.log(`Orkestr sandbox listening on ${sandbox.url} (admin token: ${sandbox.adminToken})`);
    const signal = await untilSignal();
    if (!quiet) console.error(`[sandbox] ${signal}: shutting down`);
    await sandbox.close();
    return 0;
  },
};
