/** The contract's booking methods: the queue, the list and detail, the front desk's checks, the intents, disputes. */
import type { ContractHandlers } from '../../../shared/contract/schemas.ts';
import type { CoreContext } from '../context.ts';
import type { BookingsTable } from '../db/schema.ts';
import { disputeView } from '../replica/rows.ts';
import { tenantTimeZone } from '../settings/store.ts';
import { cancelPreview, queueWindow, slotChecks } from './front-desk.ts';
import { approve, cancel, reschedule, setNotes } from './intents.ts';
import { bookingDetail, bookingRow, bookingViews, listBookings, queue } from './views.ts';

export type BookingsMethod =
  | 'queue.list'
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
    'queue.list': () => queue(replica),
    'queue.window': (i) => {
      const timeZone = tenantTimeZone(replica);
      return queueWindow(queue(replica), i, (views) => slotChecks(replica, views, timeZone), timeZone);
    },
    'bookings.slots': (i) => {
      const rows = i.ids.map((id) => bookingRow(replica, id)).filter((r): r is BookingsTable => !!r);
      return slotChecks(replica, bookingViews(replica, rows), tenantTimeZone(replica));
    },
    'bookings.search': (i) => {
      const page = listBookings(replica, { search: i.text, offset: 0, limit: i.limit ?? 20 });
      return { items: page.items, total: page.total };
    },
    'bookings.cancelPreview': (i) => {
      const row = bookingRow(replica, i.id);
      const [view] = row ? bookingViews(replica, [row]) : [];
      return view ? cancelPreview(replica, view) : null;
    },
    'bookings.list': (i) => listBookings(replica, i),
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
