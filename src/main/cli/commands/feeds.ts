import { existsSync } from 'node:fs';
import { CliError, UsageError, integerOption, requiredString, stringListOption, stringOption, type Command, type ParsedArgs } from '../command.ts';
import type { Feed } from '../../core/index.ts';
import { statusesOption } from './ics.ts';

const actions = ['add', 'list', 'rotate', 'revoke', 'publish'] as const;
type Action = (typeof actions)[number];

interface FeedJson {
  id: string;
  name: string;
  filters: unknown;
  publish: boolean;
  publicKey: string;
  createdAt: string;
  updatedAt: string;
  revokedAt: string | null;
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
    const dbFile = requiredString(args, 'db');
    const json = args.values['json'] === true;
    // Validate every option before touching the database.
    let addInput: { name: string; filters: Record<string, unknown>; publish: boolean } | null = null;
    if (action === 'add') {
      const name = requiredString(args, 'name').trim();
      if (!name || name.length > 200) throw new UsageError('--name must be 1–200 characters');
      const future = stringOption(args, 'future-days');
      addInput = {
        name,
        publish: args.values['publish'] === true,
        filters: {
          offeringIds: stringListOption(args, 'offering'),
          statuses: statusesOption(stringListOption(args, 'status')),
          includePending: args.values['include-pending'] === true,
          pastDays: integerOption(args, 'past-days', 30, 0, 36_600),
          futureDays: future === undefined ? null : integerOption(args, 'future-days', 365, 0, 36_600),
        },
      };
    }
    let target: { relayUrl: string; channelId: string; deviceToken: string } | null = null;
    if (action === 'publish') {
      const relayUrl = requiredString(args, 'relay');
      if (!/^https?:\/\//.test(relayUrl)) throw new UsageError(`--relay must be an http(s) URL, got "${relayUrl}"`);
      const deviceToken = stringOption(args, 'device-token') ?? process.env['ORKESTR_RELAY_DEVICE_TOKEN'];
      if (!deviceToken) throw new UsageError('--device-token (or ORKESTR_RELAY_DEVICE_TOKEN) is required');
      target = { relayUrl, channelId: requiredString(args, 'channel'), deviceToken };
    }
    if (!existsSync(dbFile)) throw new CliError(`no replica at ${dbFile}`);

    const feeds = await import('../../core/index.ts');
    const { Replica } = feeds;
    const replica = Replica.open(dbFile);
    const show = (f: Feed): FeedJson => ({
      id: f.id,
      name: f.name,
      filters: f.filters,
      publish: f.publish,
      publicKey: f.publishKey,
      createdAt: f.createdAt,
      updatedAt: f.updatedAt,
      revokedAt: f.revokedAt,
    });
    try {
      switch (action) {
        case 'add':
        case 'rotate': {
          const { feed, token } = action === 'add' && addInput ? feeds.addFeed(replica, addInput) : feeds.rotateFeed(replica, id ?? '');
          const path = feeds.feedPath(token);
          if (json) console.log(JSON.stringify({ ...show(feed), token, path }, null, 2));
          else {
            console.log(`${action === 'add' ? 'created' : 'rotated'} feed ${feed.id} "${feed.name}"`);
            console.log(`token: ${token}`);
            console.log(`path:  ${path}`);
            console.error('The token is shown only now; keep the URL secret. Anyone with it can read the feed.');
          }
          return 0;
        }
        case 'revoke': {
          const feed = feeds.revokeFeed(replica, id ?? '');
          if (json) console.log(JSON.stringify(show(feed), null, 2));
          else console.log(`revoked feed ${feed.id} "${feed.name}"`);
          return 0;
        }
        case 'list': {
          const list = feeds.listFeeds(replica, { includeRevoked: args.values['all'] === true });
          if (json) console.log(JSON.stringify(list.map(show), null, 2));
          else if (list.length === 0) console.log('no calendar feeds');
          else
            for (const f of list) {
              const parts = [
                f.filters.statuses ? f.filters.statuses.join('+') : f.filters.includePending ? 'with pending' : 'default statuses',
                f.filters.offeringIds.length ? `offerings ${f.filters.offeringIds.join(',')}` : 'all offerings',
                `-${f.filters.pastDays}d..${f.filters.futureDays === null ? '' : `+${f.filters.futureDays}d`}`,
                f.publish ? 'published' : 'local',
              ];
              console.log(`${f.id}  ${f.name}  (${parts.join(', ')})${f.revokedAt ? `  revoked ${f.revokedAt}` : ''}`);
            }
          return 0;
        }
        case 'publish': {
          const { createFeedRepublisher, publicFeedUrl } = feeds;
          const errors: string[] = [];
          const pub = createFeedRepublisher({ db: replica, target: () => target, log: (l) => errors.push(l) });
          const counts = await pub.flush();
          await pub.close();
          const urls = feeds
            .listFeeds(replica)
            .filter((f) => f.publish && target)
            .map((f) => ({ id: f.id, name: f.name, url: publicFeedUrl(target?.relayUrl ?? '', f.publishKey) }));
          if (json) console.log(JSON.stringify({ ...counts, feeds: urls, errors }, null, 2));
          else {
            console.log(`published ${counts.published}, deleted ${counts.deleted}, failed ${counts.failed}`);
            for (const u of urls) console.log(`${u.id}  ${u.name}  ${u.url}`);
            for (const e of errors) console.error(e);
          }
          if (counts.failed > 0) throw new CliError(`${counts.failed} feed snapshot(s) could not be published`);
          return 0;
        }
      }
    } catch (error) {
      if (error instanceof feeds.FeedNotFoundError) throw new CliError(error.message);
      throw error;
    } finally {
      replica.close();
    }
  },
};
