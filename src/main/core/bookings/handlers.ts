/** The contract's booking methods: the queue, the list and detail, the front desk's checks, the intents, disputes. */
import type { ContractHandlers } from '../../../shared/contract/schemas.ts';
import type { CoreContext } from '../context.ts';
import type { BookingsTable } from '../db/schema.ts';
import { disputeView } from '../replica/rows.ts';
import { tenantTimeZone } from '../settings/store.ts';
import { cancelPreview, searchBookings, slotChecks } from './front-desk.ts';
import { queueWindow } from './queue-window.ts';
import { cursorAfterOffsetPage, listBookingsAfter } from './list-keyset.ts';
import { approve, cancel, reschedule, setNotes } from './intents.ts';
import { searchIndexing } from './search.ts';
import { bookingDetail, bookingRow, bookingViews, listBookings } from './views.ts';

export type BookingsMethod =
  | 'queue.window'
  | 'bookings.slots'
  | 'bookings.search'
  | 'bookings.cancelPreview'
  | 'bookings.list'
  | 'bookings.get'
  | 'bookings.approve'
  | 'bookings.cancel'
  | 'bookings.reschedule'
  | 'bookings.setNotes'
  | 'disputes.list';

export function bookingsHandlers(ctx: CoreContext): Pick<ContractHandlers, BookingsMethod> {
  const { replica } = ctx;
  return {
    'queue.window': (i) => queueWindow({ replica, timeZone: tenantTimeZone(replica), views: (rows) => bookingViews(replica, rows) }, i),
    'bookings.slots': (i) => {
      const rows = i.ids.map((id) => bookingRow(replica, id)).filter((r): r is BookingsTable => !!r);
      return slotChecks(replica, bookingViews(replica, rows), tenantTimeZone(replica));
    },
    'bookings.search': (i) => searchBookings(replica, (rows) => bookingViews(replica, rows), i.text, i.limit ?? 20),
    'bookings.cancelPreview': (i) => {
      const row = bookingRow(replica, i.id);
      const [view] = row ? bookingViews(replica, [row]) : [];
      return view ? cancelPreview(replica, view) : null;
    },
    'bookings.list': (i) => {
      const indexing = i.search?.trim() ? { indexing: searchIndexing(replica) } : {};
      if (i.cursor) return { ...listBookingsAfter(replica, (rows) => bookingViews(replica, rows), { ...i, cursor: i.cursor, limit: i.limit ?? 200 }), ...indexing };
      const page = listBookings(replica, i);
      return { ...page, nextCursor: cursorAfterOffsetPage(replica, page, i.offset ?? 0), ...indexing };
    },
    'bookings.get': (i) => bookingDetail(replica, i.id),
    'bookings.approve': (i) => ({ intentId: approve(ctx, i.id) }),
    'bookings.cancel': (i) => ({ intentId: cancel(ctx, i.id, i.reason) }),
    'bookings.reschedule': (i) => ({ intentId: reschedule(ctx, i.id, i.itemId, i.startsAt, i.endsAt) }),
    'bookings.setNotes': (i) => ({ intentId: setNotes(ctx, i.id, i.notes) }),
    'disputes.list': () => {
      const { db } = replica;
      const rows = db.all(db.kysely.selectFrom('disputes').selectAll().orderBy('opened_at', 'desc'));
      const bookings = new Map(bookingViews(replica, rows.map((d) => bookingRow(replica, d.booking_id)).filter((b): b is BookingsTable => !!b)).map((b) => [b.id, b]));
      return rows.map((d) => disputeView(d, bookings.get(d.booking_id) ?? null));
    },
  };
}
