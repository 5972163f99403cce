/**
 * The contract's calendar methods: subscription feeds (`feeds.*`) and the one-off export
 * (`calendar.export`). Feed changes are announced as `data.changed` with the table `feeds` (other
 * windows, the relay republisher).
 */
import { ContractError, type CalendarFeedSecret, type CalendarFeedView } from '../../../shared/contract/types.ts';
import type { ContractHandlers } from '../../../shared/contract/schemas.ts';
import type { CoreContext } from '../context.ts';
import { exportIcs } from './ics.ts';
import { addFeed, feedPath, FeedInputError, FeedNotFoundError, listFeeds, revokeFeed, rotateFeed, type Feed } from './feeds.ts';
import { publicFeedUrl } from './publish.ts';
import { readCalendarBookings, readTenant } from './source.ts';

export type CalendarMethod = 'feeds.list' | 'feeds.add' | 'feeds.rotate' | 'feeds.revoke' | 'calendar.export';

const veventStart = 'BEGIN:VEVENT\r\n';

function notFound(error: unknown): never {
  if (error instanceof FeedNotFoundError) throw new ContractError('NOT_FOUND', error.message);
  if (error instanceof FeedInputError) throw new ContractError('BAD_INPUT', error.message, [{ path: 'name', message: error.message }]);
  throw error;
}

export function calendarHandlers(ctx: CoreContext): Pick<ContractHandlers, CalendarMethod> {
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
      createdAt: feed.createdAt,
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
    'calendar.export': (i) => {
      if (i.from && i.to && Date.parse(i.to) <= Date.parse(i.from)) throw new ContractError('BAD_INPUT', '`to` must be after `from`.', [{ path: 'to', message: 'must be after from' }]);
      const filter = {
        from: i.from ?? null,
        to: i.to ?? null,
        offeringIds: i.offeringIds ?? null,
        includePending: i.includePending ?? false,
      };
      const bookings = readCalendarBookings(ctx.replica, filter);
      const tenant = readTenant(ctx.replica);
      const name = tenant.name ?? 'Orkestr';
      const ics = exportIcs(bookings, { calendarName: `${name} bookings`, subdomain: tenant.subdomain, filter });
      // Counted in place: splitting a 100k-event calendar would copy it into 100k strings.
      let events = 0;
      for (let at = ics.indexOf(veventStart); at !== -1; at = ics.indexOf(veventStart, at + veventStart.length)) events++;
      const day = (s: string | undefined): string => (s ? s.slice(0, 10) : '');
      const range = i.from || i.to ? `-${day(i.from) || 'start'}_${day(i.to) || 'end'}` : '';
      return { ics, fileName: `bookings${range}.ics`, events };
    },
  };
}
