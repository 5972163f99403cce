/**
 * The contract's calendar methods: subscription feeds (`feeds.*`) and the one-off export
 * (`calendar.export`). Feed changes are announced as `data.changed` with the table `feeds` (other
 * windows, the relay republisher).
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ContractError, type CalendarFeedPublishResult, type CalendarFeedSecret, type CalendarFeedView } from '../../../shared/contract/types.ts';
import type { ContractHandlers } from '../../../shared/contract/schemas.ts';
import type { CoreContext } from '../context.ts';
import { coverage } from '../retention/index.ts';
import { settingsRow } from '../settings/store.ts';
import { CalendarWorker } from './render-worker.ts';
import { addFeed, feedPath, FeedInputError, FeedNotFoundError, listFeeds, revokeFeed, rotateFeed, type Feed } from './feeds.ts';
import { createFeedRepublisher, publicFeedUrl, type RelayTarget } from './publish.ts';

export type CalendarMethod = 'feeds.list' | 'feeds.add' | 'feeds.rotate' | 'feeds.revoke' | 'feeds.publish' | 'calendar.export';

function notFound(error: unknown): never {
  if (error instanceof FeedNotFoundError) throw new ContractError('NOT_FOUND', error.message);
  if (error instanceof FeedInputError) throw new ContractError('BAD_INPUT', error.message, [{ path: 'name', message: error.message }]);
  throw error;
}

/**
 * A stamp every commit to the replica moves (another connection's: data_version; the engine's own:
 * total_changes()), so two calendar workers whose reads it spans unchanged read the same data.
 */
function changeStamp(ctx: CoreContext): () => string {
  const dataVersion = ctx.replica.sqlite.prepare('PRAGMA data_version').pluck();
  const totalChanges = ctx.replica.sqlite.prepare('SELECT total_changes()').pluck();
  return () => `${String(dataVersion.get())}:${String(totalChanges.get())}`;
}

export function calendarHandlers(ctx: CoreContext): Pick<ContractHandlers, CalendarMethod> {
  const calendar = new CalendarWorker(ctx.replica.sqlite.name, { changeStamp: changeStamp(ctx), log: (line) => ctx.log(line) });
  ctx.onClose(() => calendar.close());
  // Started with the engine, so the first export a user asks for finds its workers loaded and
  // compiled (bench/calendar.ts, "console start": 0.9–1.2 s of CPU for the two, at load 13–27, run
  // from the sources; niced, off the engine's thread).
  ctx.onStart(() => calendar.warm());
  const relayUrl = (): string | null => ctx.session.settings().relayUrl;
  const feedView = (feed: Feed, localPath: string | null): CalendarFeedView => {
    const relay = relayUrl();
    return {
      id: feed.id,
      name: feed.name,
      filters: feed.filters,
      publish: feed.publish,
      localPath,
      publicUrl: feed.publish && relay && !feed.revokedAt ? publicFeedUrl(relay, feed.publishKey) : null,
      revoked: feed.revokedAt !== null,
      publishKey: feed.publishKey,
      createdAt: feed.createdAt,
      updatedAt: feed.updatedAt,
      revokedAt: feed.revokedAt,
    };
  };
  const secret = (r: { feed: Feed; token: string }): CalendarFeedSecret => {
    const localPath = feedPath(r.token);
    return { feed: feedView(r.feed, localPath), token: r.token, localPath };
  };

  return {
    'feeds.list': (i) => listFeeds(ctx.replica, { includeRevoked: i.includeRevoked ?? false }).map((f) => feedView(f, null)),
    'feeds.add': (i) => {
      try {
        const r = secret(addFeed(ctx.replica, { name: i.name, filters: i.filters, ...(i.publish !== undefined ? { publish: i.publish } : {}) }));
        ctx.notifyChanged(['feeds']);
        return r;
      } catch (error) {
        return notFound(error);
      }
    },
    'feeds.rotate': (i) => {
      try {
        const r = secret(rotateFeed(ctx.replica, i.id));
        ctx.notifyChanged(['feeds']);
        return r;
      } catch (error) {
        return notFound(error);
      }
    },
    'feeds.revoke': (i) => {
      try {
        const r = feedView(revokeFeed(ctx.replica, i.id), null);
        ctx.notifyChanged(['feeds']);
        return r;
      } catch (error) {
        return notFound(error);
      }
    },
    'feeds.publish': (i) => publishNow(ctx, i),
    'calendar.export': async (i) => {
      if (i.from && i.to && Date.parse(i.to) <= Date.parse(i.from)) throw new ContractError('BAD_INPUT', '`to` must be after `from`.', [{ path: 'to', message: 'must be after from' }]);
      const filter = {
        from: i.from ?? null,
        to: i.to ?? null,
        offeringIds: i.offeringIds ?? null,
        includePending: i.includePending ?? false,
        statuses: i.statuses ?? null,
      };
      const day = (s: string | undefined): string => (s ? s.slice(0, 10) : '');
      const range = i.from || i.to ? `-${day(i.from) || 'start'}_${day(i.to) || 'end'}` : '';
      const fileName = `bookings${range}.ics`;
      const window = coverage(settingsRow(ctx.replica).retainPastDays);
      // Read and rendered in the calendar's worker thread: the engine's loop keeps answering meanwhile.
      if (i.toFile) {
        // Written by the worker into the exports folder beside the replica (a name the core chooses,
        // never a path from the caller): a 100k-event calendar (~50 MB) never crosses threads.
        const folder = join(dirname(ctx.replica.sqlite.name), 'exports');
        mkdirSync(folder, { recursive: true, mode: 0o700 });
        const file = join(folder, fileName);
        const r = await calendar.exportToFile(filter, file, i.calendarName ?? null);
        return { ics: null, file, bytes: r.bytes, fileName, events: r.events, window };
      }
      const { ics, events } = await calendar.export(filter, i.calendarName ?? null);
      return { ics: ics.toString('utf8'), file: null, bytes: ics.length, fileName, events, window };
    },
  };
}

/**
 * One publishing pass to `target`, now (the shell's republisher, app.ts, follows the connected relay on
 * its own; this is the explicit "publish now" of the CLI). The relay's refusals come back as `errors`.
 */
async function publishNow(ctx: CoreContext, target: RelayTarget): Promise<CalendarFeedPublishResult> {
  const errors: string[] = [];
  const publisher = createFeedRepublisher({ db: ctx.replica, target: () => target, log: (line) => errors.push(line) });
  let counts: { published: number; deleted: number; failed: number };
  try {
    counts = await publisher.flush();
  } finally {
    await publisher.close();
  }
  const feeds = listFeeds(ctx.replica)
    .filter((f) => f.publish)
    .map((f) => ({ id: f.id, name: f.name, url: publicFeedUrl(target.relayUrl, f.publishKey) }));
  return { ...counts, feeds, errors };
}
