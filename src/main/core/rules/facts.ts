/**
 * What a rule needs to know about a booking beyond the booking itself, read from the replica: the
 * room left in its slot and the customer's earlier completed bookings.
 */
import type { BookingView } from '../../../shared/contract/types.ts';
import { slotChecks } from '../bookings/front-desk.ts';
import type { Replica } from '../replica.ts';
import type { SlotRoom } from './evaluate.ts';

/** Live: what holds places now. The preview over history counts COMPLETED ones too (they held it then). */
export const liveHolders = ['CONFIRMED', 'PENDING'] as const;
export const historyHolders = ['CONFIRMED', 'PENDING', 'COMPLETED'] as const;

/**
 * The slot's room for `view`: capacity from the availability rule its start falls in (the same lookup
 * as the front desk's slot check), and the places held by every other booking overlapping any of its
 * items on that offering whose effective status (a queued approve or cancel counts) is one of
 * `holders`. A class with 12 places and 3 held has room for a booking of 1.
 */
export function slotRoom(replica: Replica, view: BookingView, timeZone: string, holders: readonly string[]): SlotRoom {
  const [check] = slotChecks(replica, [view], timeZone);
  const marks = holders.map(() => '?').join(',');
  const overlapping = replica.stmt(
    `SELECT COALESCE(SUM(bi.quantity), 0) AS used
       FROM booking_items bi JOIN bookings b ON b.id = bi.booking_id LEFT JOIN booking_overlay o ON o.booking_id = b.id
      WHERE bi.offering_id = ? AND bi.starts_at < ? AND bi.ends_at > ? AND bi.booking_id <> ? AND COALESCE(o.status, b.status) IN (${marks})`,
  );
  let used = 0;
  let quantity = 0;
  for (const item of view.items) {
    quantity = Math.max(quantity, item.quantity);
    const row = overlapping.get(item.offeringId, item.endsAt, item.startsAt, view.id, ...holders) as { used: number };
    used = Math.max(used, row.used);
  }
  return { capacity: check?.state === 'unknown' ? null : (check?.capacity ?? null), used, quantity };
}

/** The customer's COMPLETED bookings created before `before` (ISO). */
export function completedBefore(replica: Replica, customerId: string, before: string): number {
  const row = replica.stmt("SELECT count(*) AS n FROM bookings WHERE customer_id = ? AND status = 'COMPLETED' AND created_at < ?").get(customerId, before) as { n: number };
  return row.n;
}
