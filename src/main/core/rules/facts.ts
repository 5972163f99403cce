/**
 * What a rule needs to know about a booking beyond the booking itself, read from the replica: the
 * room left in its slot and the customer's earlier completed bookings.
 */
import type { BookingView } from '../../../shared/contract/types.ts';
import { weeklyRuleAt, weeklyRulesSql, type WeeklyRule } from '../bookings/front-desk.ts';
import type { Replica } from '../replica/replica.ts';
import type { SlotRoom } from './evaluate.ts';

/** Live: what holds places now. The preview over history counts COMPLETED ones too (they held it then). */
export const liveHolders = ['CONFIRMED', 'PENDING'] as const;
export const historyHolders = ['CONFIRMED', 'PENDING', 'COMPLETED'] as const;

/**
 * The room in bookings' slots, for one pass (the weekly rules of each offering are read once): the
 * capacity of the availability rule each item's start falls in (the front desk's lookup, smallest over
 * the items; unknown when one has none), and the places held by every other booking overlapping an
 * item on that offering whose effective status (a queued approve or cancel counts) is one of
 * `holders`. A class with 12 places and 3 held has room for a booking of 1.
 */
export class SlotRooms {
  readonly #replica: Replica;
  readonly #holders: readonly string[];
  readonly #weekly = new Map<string, WeeklyRule[]>();
  readonly #longest = new Map<string, number>();
  readonly #timeZone: string;

  constructor(replica: Replica, timeZone: string, holders: readonly string[]) {
    this.#replica = replica;
    this.#timeZone = timeZone;
    this.#holders = holders;
  }

  of(view: BookingView): SlotRoom {
    const marks = this.#holders.map(() => '?').join(',');
    const overlapping = this.#replica.stmt(
      `SELECT COALESCE(SUM(bi.quantity), 0) AS used
         FROM booking_items bi JOIN bookings b ON b.id = bi.booking_id LEFT JOIN booking_overlay o ON o.booking_id = b.id
        WHERE bi.offering_id = ? AND bi.starts_at < ? AND bi.starts_at >= ? AND bi.ends_at > ? AND bi.booking_id <> ? AND COALESCE(o.status, b.status) IN (${marks})`,
    );
    let used = 0;
    let quantity = 0;
    let capacity: number | null = null;
    let known = view.items.length > 0;
    for (const item of view.items) {
      quantity = Math.max(quantity, item.quantity);
      // The index walk starts no earlier than the offering's longest item before this one's start.
      const from = new Date(Date.parse(item.startsAt) - this.#longestOf(item.offeringId)).toISOString();
      const row = overlapping.get(item.offeringId, item.endsAt, from, item.startsAt, view.id, ...this.#holders) as { used: number };
      used = Math.max(used, row.used);
      const rule = weeklyRuleAt(this.#rulesOf(item.offeringId), item.startsAt, this.#timeZone);
      if (!rule) known = false;
      else capacity = capacity === null ? rule.capacity : Math.min(capacity, rule.capacity);
    }
    return { capacity: known ? capacity : null, used, quantity };
  }

  /** The offering's longest booked item, in ms (+1 day of slack for items added during the pass). */
  #longestOf(offeringId: string): number {
    let ms = this.#longest.get(offeringId);
    if (ms === undefined) {
      const row = this.#replica.stmt('SELECT MAX(julianday(ends_at) - julianday(starts_at)) AS days FROM booking_items WHERE offering_id = ?').get(offeringId) as { days: number | null };
      ms = Math.ceil(((row.days ?? 0) + 1) * 86_400_000);
      this.#longest.set(offeringId, ms);
    }
    return ms;
  }

  #rulesOf(offeringId: string): WeeklyRule[] {
    let rules = this.#weekly.get(offeringId);
    if (!rules) {
      rules = this.#replica.stmt(weeklyRulesSql).all(offeringId) as WeeklyRule[];
      this.#weekly.set(offeringId, rules);
    }
    return rules;
  }
}

/** The customer's COMPLETED bookings created before `before` (ISO). */
export function completedBefore(replica: Replica, customerId: string, before: string): number {
  const row = replica.stmt("SELECT count(*) AS n FROM bookings WHERE customer_id = ? AND status = 'COMPLETED' AND created_at < ?").get(customerId, before) as { n: number };
  return row.n;
}
