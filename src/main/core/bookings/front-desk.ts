/**
 * The front desk's reads over the replica (issues #13/#14/#16): the refund a cancel would give and
 * the queue's date groups. The queue window is in queue-window.ts, slot checks in slots.ts, quick
 * search in search.ts.
 */
import type { BookingView, CancelPreview, CancellationPolicy, QueueGroup } from '../../../shared/contract/types.ts';
import type { Replica } from '../replica/replica.ts';
import { groupBounds, groupOf } from './queue-groups.ts';
import { localDayAndTime } from './slots.ts';

export { localDayAndTime, slotChecks } from './slots.ts';
export { searchBookings, searchBookingRows } from './search.ts';

/** Hours before the first start → refund percent, per policy (docs/orkestr-api.md, "Cancellation policies"). */
const refundTable: Record<CancellationPolicy, readonly [atLeast120h: number, atLeast24h: number, under24h: number, afterStart: number]> = {
  FLEXIBLE: [100, 100, 50, 0],
  MODERATE: [100, 50, 0, 0],
  STRICT: [50, 0, 0, 0],
};

export function refundPercentFor(policy: CancellationPolicy, hoursBeforeStart: number): number {
  const row = refundTable[policy];
  if (hoursBeforeStart <= 0) return row[3];
  if (hoursBeforeStart >= 120) return row[0];
  if (hoursBeforeStart >= 24) return row[1];
  return row[2];
}

const isPolicy = (p: unknown): p is CancellationPolicy => p === 'FLEXIBLE' || p === 'MODERATE' || p === 'STRICT';

export function cancelPreview(replica: Replica, view: BookingView, now = Date.now()): CancelPreview {
  const row = replica.stmt('SELECT cancellation_policy AS policy FROM offerings WHERE id = ?').get(view.offeringId) as { policy: string | null } | undefined;
  const policy = isPolicy(row?.policy) ? row.policy : null;
  const firstStart = firstStartOf(view);
  const hoursBeforeStart = firstStart === null ? null : (Date.parse(firstStart) - now) / 3_600_000;
  const refundPercent = policy === null || hoursBeforeStart === null ? null : refundPercentFor(policy, hoursBeforeStart);
  const paid = view.totalCents;
  return {
    bookingId: view.id,
    policy,
    hoursBeforeStart,
    refundPercent,
    refundCents: refundPercent === null ? null : Math.round((paid * refundPercent) / 100),
    currency: view.currency,
  };
}

export function firstStartOf(view: BookingView): string | null {
  let first: string | null = null;
  for (const item of view.items) if (first === null || item.startsAt < first) first = item.startsAt;
  return first;
}

/** An availability rule as the slot checks and approval rules read it. */
export interface WeeklyRule {
  day: number;
  start: string;
  end: string;
  capacity: number;
  validFrom: string | null;
  validUntil: string | null;
}

/** The weekly rule a start falls in (the business's local weekday, time and date), or undefined. */
export function weeklyRuleAt(rules: readonly WeeklyRule[], startsAt: string, timeZone: string): WeeklyRule | undefined {
  const local = localDayAndTime(startsAt, timeZone);
  return rules.find((r) => r.day === local.day && r.start <= local.time && local.time < r.end && (!r.validFrom || r.validFrom <= local.date) && (!r.validUntil || local.date <= r.validUntil));
}

/** Reads an offering's weekly rules as WeeklyRule rows. */
export const weeklyRulesSql = 'SELECT day_of_week AS day, start_time AS start, end_time AS end, capacity, valid_from AS validFrom, valid_until AS validUntil FROM availability_rules WHERE offering_id = ?';

/** The tenant-local day a start falls on, relative to now. */
export function queueGroupOf(startsAt: string | null, timeZone: string, now = Date.now()): QueueGroup {
  return groupOf(startsAt, groupBounds(now, timeZone));
}
