/**
 * The one adapter between the replica (src/main/core/db) and the calendar export: reads server truth
 * (not local intents — a calendar shows what the server has confirmed) into `CalendarBooking`s.
 */
import type Database from 'better-sqlite3';
import type { BookingStatus } from '../../../shared/contract/types.ts';
import { statusesFor, type CalendarBooking, type IcsFilter } from './ics.ts';

/** A better-sqlite3 handle, or anything that carries one (Replica, ReplicaDb). */
export type SqliteSource = Database.Database | { sqlite: Database.Database };

export function sqliteOf(source: SqliteSource): Database.Database {
  return 'sqlite' in source ? source.sqlite : source;
}

export interface TenantRef {
  name: string | null;
  subdomain: string | null;
}

/** The tenant the replica belongs to (meta `tenant`, written by sync), or nulls. */
export function readTenant(source: SqliteSource): TenantRef {
  const db = sqliteOf(source);
  try {
    const row = db.prepare("SELECT value FROM meta WHERE key = 'tenant'").get() as { value: string } | undefined;
    if (!row) return { name: null, subdomain: null };
    const t = JSON.parse(row.value) as { name?: unknown; subdomain?: unknown };
    return {
      name: typeof t.name === 'string' ? t.name : null,
      subdomain: typeof t.subdomain === 'string' && /^[a-z0-9-]{1,63}$/i.test(t.subdomain) ? t.subdomain : null,
    };
  } catch {
    return { name: null, subdomain: null };
  }
}

/**
 * The location of an offering, from its `attributes` JSON: `location` or `address` as a string, or
 * `location: { title|name, address }`. Orkestr has no location field of its own.
 */
export function locationFromAttributes(attributes: string | null | undefined): string | null {
  if (!attributes) return null;
  let a: unknown;
  try {
    a = JSON.parse(attributes);
  } catch {
    return null;
  }
  if (!a || typeof a !== 'object') return null;
  const rec = a as Record<string, unknown>;
  const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);
  const loc = rec['location'];
  if (str(loc)) return str(loc);
  if (loc && typeof loc === 'object') {
    const l = loc as Record<string, unknown>;
    const title = str(l['title']) ?? str(l['name']);
    const address = str(l['address']);
    if (title && address) return `${title}, ${address}`;
    if (title ?? address) return title ?? address;
  }
  return str(rec['address']);
}

function isoOrNull(value: string | null | undefined): string | null {
  if (!value) return null;
  const t = Date.parse(value);
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
}

/** Statuses that make up most of any tenant's history (see readCalendarBookings). */
const historic = new Set<string>(['COMPLETED', 'CANCELLED', 'REFUNDED']);

/** Part `part` (0-based) of `of` even shares of the bookings table's rowid span. */
export interface BookingShare {
  part: number;
  of: number;
}

/**
 * Bookings (with the items that pass the filter) from the replica. The SQL narrows by status,
 * offering and time; `exportIcs` applies the same filter again, so the two cannot disagree.
 *
 * Raw on purpose (hot path of a 100k-event export): rows come as arrays (`raw()`), only the
 * columns the export uses, without a join to `offerings` (one lookup per offering, not per row).
 * When the statuses include a historic one, most bookings match: walking the table in order
 * (`CROSS JOIN` keeps bookings outermost, `+b.status` keeps the status index out) costs 52 ms of
 * SQLite CPU for the 100k rows of bench/calendar.ts where the status index cost 430–530 ms (a random
 * table lookup per booking; count(*) over the same join, load 15), and it hands a booking's items
 * over one after the other. With `share`, only the bookings in that part of the table's rowid span
 * (and all their items). A narrow status set (PENDING, CONFIRMED) or an offering filter is left
 * to the planner's indexes.
 */
export function readCalendarBookings(source: SqliteSource, filter?: IcsFilter, share?: BookingShare): CalendarBooking[] {
  const out: CalendarBooking[] = [];
  eachCalendarBooking(source, filter, share, (b) => void out.push(b));
  return out;
}

/**
 * readCalendarBookings, one booking at a time: each is handed to `visit` once all its items are read
 * (walking the table, as soon as the next booking's row comes, so the caller can render it while the
 * rows are read and let it go; through an index, at the end).
 */
export function eachCalendarBooking(source: SqliteSource, filter: IcsFilter | undefined, share: BookingShare | undefined, visit: (b: CalendarBooking) => void): void {
  const db = sqliteOf(source);
  const statuses = [...statusesFor(filter)];
  const offerings = filter?.offeringIds ?? [];
  const scan = offerings.length === 0 && statuses.some((s) => historic.has(s));
  const where: string[] = [`${scan ? '+' : ''}b.status IN (${statuses.map(() => '?').join(',')})`];
  const params: unknown[] = [...statuses];
  if (offerings.length > 0) {
    where.push(`b.offering_id IN (${offerings.map(() => '?').join(',')})`);
    params.push(...offerings);
  }
  // Stored times are ISO-8601 UTC with milliseconds, so text order is time order.
  const from = isoOrNull(filter?.from);
  const to = isoOrNull(filter?.to);
  if (from) {
    where.push('i.ends_at > ?');
    params.push(from);
  }
  if (to) {
    where.push('i.starts_at < ?');
    params.push(to);
  }
  if (share && share.of > 1) {
    // Share `part` of `of` of the bookings' rowid span, computed in the same statement (so from the
    // same snapshot); two calendar workers that each read one render half an export (render-worker.ts).
    const bound = '(SELECT min(rowid) - 1 + (max(rowid) - min(rowid) + 1) * ? / ? FROM bookings)';
    if (share.part > 0) {
      where.push(`b.rowid > ${bound}`);
      params.push(share.part, share.of);
    }
    if (share.part < share.of - 1) {
      where.push(`b.rowid <= ${bound}`);
      params.push(share.part + 1, share.of);
    }
  }
  // Prepared first: it runs while the rows below are being stepped through (a read, allowed meanwhile).
  const attributes = db.prepare('SELECT attributes FROM offerings WHERE id = ?').pluck();
  // No ORDER BY (a temp B-tree sort of every row): the export orders events itself. Iterated, not
  // all(): each row's array is garbage at once instead of 50k of them surviving to the end of the read.
  const rows = db
    .prepare(
      `SELECT b.id, b.status, b.version, b.updated_at, b.offering_id, b.offering_title, b.customer_name, b.notes,
              i.id, i.starts_at, i.ends_at
         FROM ${scan ? 'bookings b CROSS JOIN booking_items i' : 'booking_items i JOIN bookings b'} ON b.id = i.booking_id
        WHERE ${where.join(' AND ')}`,
    )
    .raw(true)
    .iterate(...params) as IterableIterator<[string, string, number | null, string, string, string, string, string, string, string, string]>;
  const locations = new Map<string, string | null>();
  // A booking's rows are adjacent when the table is walked; through an index they may not be.
  const byId = scan ? null : new Map<string, CalendarBooking>();
  const held: CalendarBooking[] = [];
  // What the export keeps of the rows, a worker's garbage collector copies and marks (in a cold
  // export, GC work on the workers' heaps was a third of the process's CPU): values many rows repeat
  // (status, offering, its title) are kept once, and a booking's items array is made at its size
  // ([] then push() reserves 17 slots). Heap kept by a share of 50k bookings: 33.7 -> 23.2 MB.
  const shared = new Map<string, string>();
  const once = (value: string): string => {
    const known = shared.get(value);
    if (known !== undefined) return known;
    shared.set(value, value);
    return value;
  };
  let current: CalendarBooking | undefined;
  for (const [id, status, version, updatedAt, offeringId, offeringTitle, customerName, notes, itemId, startsAt, endsAt] of rows) {
    if (current?.id !== id) {
      // Walking the table, a booking's rows are adjacent: the one before is complete.
      if (current && !byId) visit(current);
      current = byId?.get(id);
    }
    const item = { id: itemId, startsAt, endsAt };
    if (current) {
      current.items.push(item);
      continue;
    }
    let location = locations.get(offeringId);
    if (location === undefined) {
      location = locationFromAttributes(attributes.get(offeringId) as string | null | undefined);
      locations.set(offeringId, location);
    }
    current = { id, status: once(status) as BookingStatus, version, updatedAt, offeringId: once(offeringId), offeringTitle: once(offeringTitle), customerName, notes, items: [item], location };
    if (byId) {
      byId.set(id, current);
      held.push(current);
    }
  }
  if (!byId) {
    if (current) visit(current);
  } else for (const b of held) visit(b);
}
