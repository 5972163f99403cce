/**
 * The queue's date groups (past, today, tomorrow, this week, later) by the tenant's local day, as
 * instants: the SQL counts compare start times with these bounds instead of converting every row.
 */
import type { QueueGroup } from '../../../shared/contract/types.ts';
import { localDayAndTime } from './slots.ts';

export interface GroupBounds {
  now: number;
  /** Local midnight starting tomorrow, the day after, and the 7th day from today (end of "week"). */
  tomorrow: number;
  dayAfter: number;
  weekEnd: number;
}

/** The offset of a time zone from UTC at an instant, in ms (local = utc + offset). */
function offsetAt(ms: number, timeZone: string): number {
  const l = localDayAndTime(ms, timeZone);
  const [y, m, d] = l.date.split('-').map(Number) as [number, number, number];
  const [hh, mm] = l.time.split(':').map(Number) as [number, number];
  const asUtc = Date.UTC(y, m - 1, d, hh, mm);
  return asUtc - Math.floor(ms / 60_000) * 60_000;
}

/** The instant local midnight begins on the local date `days` after the one `ms` falls on. */
export function localMidnightAfter(ms: number, days: number, timeZone: string): number {
  const [y, m, d] = localDayAndTime(ms, timeZone).date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d + days);
  // Two passes settle the offset across a DST switch near midnight.
  let t = wall - offsetAt(wall, timeZone);
  t = wall - offsetAt(t, timeZone);
  return t;
}

export function groupBounds(now: number, timeZone: string): GroupBounds {
  return { now, tomorrow: localMidnightAfter(now, 1, timeZone), dayAfter: localMidnightAfter(now, 2, timeZone), weekEnd: localMidnightAfter(now, 7, timeZone) };
}

export function groupOf(startsAt: string | null, b: GroupBounds): QueueGroup {
  if (startsAt === null) return 'later';
  const ms = Date.parse(startsAt);
  if (ms < b.now) return 'past';
  if (ms < b.tomorrow) return 'today';
  if (ms < b.dayAfter) return 'tomorrow';
  if (ms < b.weekEnd) return 'week';
  return 'later';
}
