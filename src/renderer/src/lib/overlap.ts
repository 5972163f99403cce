/** Overlap check before approving: does a PENDING booking collide with others on the same offering? */
import type { BookingView } from '../../../shared/contract/types.ts';

export interface Overlap {
  bookingId: string;
  itemId: string;
  offeringId: string;
  other: BookingView;
  otherItemId: string;
  startsAt: string;
  endsAt: string;
}

export interface OverlapGroup {
  booking: BookingView;
  overlaps: Overlap[];
}

const blocking: ReadonlySet<string> = new Set(['CONFIRMED', 'PENDING']);

/** Intervals are half-open: [start, end). Touching slots do not overlap. */
export function intervalsOverlap(aStart: string, aEnd: string, bStart: string, bEnd: string): boolean {
  return Date.parse(aStart) < Date.parse(bEnd) && Date.parse(bStart) < Date.parse(aEnd);
}

/**
 * Overlaps of each target booking's items with items of CONFIRMED or PENDING bookings (other than
 * itself, and other than bookings the same batch is declining) on the same offering.
 */
export function findOverlaps(targets: BookingView[], candidates: BookingView[], excludeIds: ReadonlySet<string> = new Set()): OverlapGroup[] {
  const groups: OverlapGroup[] = [];
  for (const booking of targets) {
    const overlaps: Overlap[] = [];
    for (const item of booking.items) {
      for (const other of candidates) {
        if (other.id === booking.id || excludeIds.has(other.id) || !blocking.has(other.status)) continue;
        for (const oi of other.items) {
          if (oi.offeringId !== item.offeringId) continue;
          if (!intervalsOverlap(item.startsAt, item.endsAt, oi.startsAt, oi.endsAt)) continue;
          overlaps.push({ bookingId: booking.id, itemId: item.id, offeringId: item.offeringId, other, otherItemId: oi.id, startsAt: oi.startsAt, endsAt: oi.endsAt });
        }
      }
    }
    if (overlaps.length) groups.push({ booking, overlaps });
  }
  return groups;
}

/** The window to query `bookings.list` with to find everything that could collide with `targets`. */
export function queryWindow(targets: BookingView[]): { from: string; to: string } | null {
  let min = Infinity;
  let max = -Infinity;
  for (const b of targets)
    for (const i of b.items) {
      min = Math.min(min, Date.parse(i.startsAt));
      max = Math.max(max, Date.parse(i.endsAt));
    }
  if (!Number.isFinite(min) || !Number.isFinite(max)) return null;
  // Widen by a day: a server may filter by start time only, so long bookings starting earlier still show.
  return { from: new Date(min - 86_400_000).toISOString(), to: new Date(max + 86_400_000).toISOString() };
}
