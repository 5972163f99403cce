/** `feeds`: the contract's `feeds.*` methods (the window's calendar feeds screen) on the replica. */
import type { CalendarFeedSecret, CalendarFeedView, MethodInput } from '../../../shared/contract/types.ts';
import { CliError, UsageError, stringListOption, stringOption, type Command, type ParsedArgs } from '../command.ts';
import { checkInput, numberArg, printJson, statusesArg, withContract, type Call, type FlagNames } from '../contract.ts';

const actions = ['add', 'list', 'rotate', 'revoke', 'publish'] as const;
type Action = (typeof actions)[number];

/** The options each contract field comes from, named in a refusal. */
const flags: FlagNames = {
  name: '--name',
  'filters.offeringIds': '--offering',
  'filters.statuses': '--status',
  'filters.pastDays': '--past-days',
  'filters.futureDays': '--future-days',
  relayUrl: '--relay',
  channelId: '--channel',
  deviceToken: '--device-token or ORKESTR_RELAY_DEVICE_TOKEN',
};

/** A feed as `feeds --json` has always printed it (the contract's view, `publishKey` as `publicKey`). */
function show(f: CalendarFeedView): Record<string, unknown> {
  return { id: f.id, name: f.name, filters: f.filters, publish: f.publish, publicKey: f.publishKey, createdAt: f.createdAt, updatedAt: f.updatedAt, revokedAt: f.revokedAt };
}

function listLine(f: CalendarFeedView): string {
  const parts = [
    f.filters.statuses ? f.filters.statuses.join('+') : f.filters.includePending ? 'with pending' : 'default statuses',
    f.filters.offeringIds.length ? `offerings ${f.filters.offeringIds.join(',')}` : 'all offerings',
    `-${f.filters.pastDays}d..${f.filters.futureDays === null ? '' : `+${f.filters.futureDays}d`}`,
    f.publish ? 'published' : 'local',
  ];
  return `${f.id}  ${f.name}  (${parts.join(', ')})${f.revokedAt ? `  revoked ${f.revokedAt}` : ''}`;
}

function printSecret(action: 'add' | 'rotate', r: CalendarFeedSecret, json: boolean): void {
  if (json) return printJson({ ...show(r.feed), token: r.token, path: r.localPath });
  console.log(`${action === 'add' ? 'created' : 'rotated'} feed ${r.feed.id} "${r.feed.name}"`);
  console.log(`token: ${r.token}`);
  console.log(`path:  ${r.localPath}`);
  console.error('The token is shown only now; keep the URL secret. Anyone with it can read the feed.');
}

/** The contract input of `feeds add` / `feeds publish`, checked before the replica is opened. */
function inputOf(action: Action, args: ParsedArgs): MethodInput<'feeds.add'> | MethodInput<'feeds.publish'> | null {
  if (action === 'add') {
    const future = numberArg(args, 'future-days');
    return checkInput(
      'feeds.add',
      {
        name: stringOption(args, 'name'),
        publish: args.values['publish'] === true,
        filters: {
          offeringIds: stringListOption(args, 'offering'),
          statuses: statusesArg(stringListOption(args, 'status')) ?? null,
          includePending: args.values['include-pending'] === true,
          pastDays: numberArg(args, 'past-days') ?? 30,
          futureDays: future ?? null,
        },
      },
      flags,
    );
  }
  if (action === 'publish') {
    const deviceToken = stringOption(args, 'device-token') ?? process.env['ORKESTR_RELAY_DEVICE_TOKEN'];
    return checkInput('feeds.publish', { relayUrl: stringOption(args, 'relay'), channelId: stringOption(args, 'channel'), deviceToken }, flags);
  }
  return null;
}

async function publish(call: Call, input: MethodInput<'feeds.publish'>, json: boolean): Promise<number> {
  const r = await call('feeds.publish', input);
  if (json) printJson(r);
  else {
    console.log(`published ${r.published}, deleted ${r.deleted}, failed ${r.failed}`);
    for (const u of r.feeds) console.log(`${u.id}  ${u.name}  ${u.url}`);
    for (const e of r.errors) console.error(e);
  }
  if (r.failed > 0) throw new CliError(`${r.failed} feed snapshot(s) could not be published`);
  return 0;
}

function actionOf(args: ParsedArgs): { action: Action; id: string | undefined } {
  const [action, id, ...extra] = args.positionals;
  if (!action) throw new UsageError(`give an action: ${actions.join(', ')}`);
  if (!(actions as readonly string[]).includes(action)) throw new UsageError(`unknown action "${action}" (one of ${actions.join(', ')})`);
  if (extra.length > 0) throw new UsageError(`unexpected "${extra.join(' ')}"`);
  const needsId = action === 'rotate' || action === 'revoke';
  if (needsId && !id) throw new UsageError(`feeds ${action} needs the feed id (see "feeds list")`);
  if (!needsId && id) throw new UsageError(`feeds ${action} takes no id, got "${id}"`);
  return { action: action as Action, id };
}

export const feedsCommand: Command = {
  name: 'feeds',
  summary: 'Manage calendar subscription feeds (add, list, rotate, revoke, publish to the relay).',
  usage:
    'feeds add --db FILE --name TEXT [--include-pending] [--offering ID]... [--status S]... [--past-days N] [--future-days N] [--publish] [--json]\n' +
    '       feeds list --db FILE [--all] [--json]\n' +
    '       feeds rotate <feed id> --db FILE [--json]\n' +
    '       feeds revoke <feed id> --db FILE [--json]\n' +
    '       feeds publish --db FILE --relay URL --channel ID [--device-token T] [--json]\n\n' +
    '  add      creates a feed and prints its secret token and local path /calendar/<token>.ics (shown once;\n' +
    '           only its SHA-256 is stored); the console loopback bridge serves that path.\n' +
    '  rotate   gives a feed a new token; the old URL answers 404 from now on\n' +
    '  revoke   disables a feed for good (404)\n' +
    '  publish  puts a snapshot of every --publish feed on the relay (public {relay}/feeds/<key>.ics) and\n' +
    '           deletes snapshots of rotated or revoked feeds; device token also from ORKESTR_RELAY_DEVICE_TOKEN\n' +
    '  --past-days N     keep items that ended up to N days ago (default 30)\n' +
    '  --future-days N   only items starting within N days (default: no limit)\n' +
    '  --all             list revoked feeds too',
  allowPositionals: true,
  options: {
    db: { type: 'string' },
    name: { type: 'string' },
    'include-pending': { type: 'boolean' },
    offering: { type: 'string', multiple: true },
    status: { type: 'string', multiple: true },
    'past-days': { type: 'string' },
    'future-days': { type: 'string' },
    publish: { type: 'boolean' },
    all: { type: 'boolean' },
    json: { type: 'boolean' },
    relay: { type: 'string' },
    channel: { type: 'string' },
    'device-token': { type: 'string' },
  },
  async run(args) {
    const { action, id } = actionOf(args);
    const json = args.values['json'] === true;
    // Checked by the contract's schemas before the replica is opened.
    const input = inputOf(action, args);
    return withContract(
      args,
      async (call) => {
        switch (action) {
          case 'add':
            printSecret(action, await call('feeds.add', input as MethodInput<'feeds.add'>), json);
            return 0;
          case 'rotate':
            printSecret(action, await call('feeds.rotate', { id: id ?? '' }), json);
            return 0;
          case 'revoke': {
            const feed = await call('feeds.revoke', { id: id ?? '' });
            if (json) printJson(show(feed));
            else console.log(`revoked feed ${feed.id} "${feed.name}"`);
            return 0;
          }
          case 'list': {
            const list = await call('feeds.list', { includeRevoked: args.values['all'] === true });
            if (json) printJson(list.map(show));
            else if (list.length === 0) console.log('no calendar feeds');
            else for (const f of list) console.log(listLine(f));
            return 0;
          }
          case 'publish':
            return publish(call, input as MethodInput<'feeds.publish'>, json);
        }
      },
      { flags },
    );
  },
};
