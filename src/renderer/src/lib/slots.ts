/** Free-slot picker logic for the reschedule dialog: weekly rules minus slots already at capacity. */
import type { AvailabilityRuleView, BookingView } from '../../../shared/contract/types.ts';
import { fromZonedInput, zonedParts } from './format.ts';

/** Intervals are half-open: [start, end). Touching slots do not overlap. */
export function intervalsOverlap(aStart: string, aEnd: string, bStart: string, bEnd: string): boolean {
  return Date.parse(aStart) < Date.parse(bEnd) && Date.parse(bStart) < Date.parse(aEnd);
}

export interface Slot {
  startsAt: string;
  endsAt: string;
}

/** Free slots on `date` from the weekly rules, minus slots already at capacity. */
export function freeSlots(date: string, tz: string, rules: AvailabilityRuleView[], taken: BookingView[], selfId: string): Slot[] {
  const noon = fromZonedInput(`${date}T12:00`, tz);
  if (!noon) return [];
  const weekday = zonedParts(new Date(noon), tz).weekday;
  const slots: Slot[] = [];
  for (const r of rules) {
    if (r.dayOfWeek !== weekday) continue;
    if (r.validFrom && date < r.validFrom.slice(0, 10)) continue;
    if (r.validUntil && date > r.validUntil.slice(0, 10)) continue;
    const start = fromZonedInput(`${date}T${r.startTime}`, tz);
    const end = fromZonedInput(`${date}T${r.endTime}`, tz);
    if (!start || !end || r.slotMinutes <= 0) continue;
    for (let s = Date.parse(start); s + r.slotMinutes * 60_000 <= Date.parse(end); s += r.slotMinutes * 60_000) {
      const slot = { startsAt: new Date(s).toISOString(), endsAt: new Date(s + r.slotMinutes * 60_000).toISOString() };
      const used = taken.filter((b) => b.id !== selfId && (b.status === 'CONFIRMED' || b.status === 'PENDING') && b.items.some((i) => intervalsOverlap(i.startsAt, i.endsAt, slot.startsAt, slot.endsAt))).length;
      if (used < Math.max(1, r.capacity)) slots.push(slot);
    }
  }
  return slots.sort((a, b) => a.startsAt.localeCompare(b.startsAt));
}
