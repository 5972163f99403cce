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

interface Row {
  id: string;
  status: string;
  version: number | null;
  updated_at: string;
  offering_id: string;
  offering_title: string;
  customer_name: string;
  notes: string;
  attributes: string | null;
  item_id: string;
  starts_at: string;
  ends_at: string;
}

/**
 * Bookings (with the items that pass the filter) from the replica. The SQL narrows by status,
 * offering and time; `exportIcs` applies the same filter again, so the two cannot disagree.
 */
export function readCalendarBookings(source: SqliteSource, filter?: IcsFilter): CalendarBooking[] {
  const db = sqliteOf(source);
  const statuses = [...statusesFor(filter)];
  const where: string[] = [`b.status IN (${statuses.map(() => '?').join(',')})`];
  const params: unknown[] = [...statuses];
  const offerings = filter?.offeringIds ?? [];
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
  const rows = db
    .prepare(
      `SELECT b.id, b.status, b.version, b.updated_at, b.offering_id, b.offering_title, b.customer_name, b.notes,
              o.attributes, i.id AS item_id, i.starts_at, i.ends_at
         FROM booking_items i
         JOIN bookings b ON b.id = i.booking_id
         LEFT JOIN offerings o ON o.id = b.offering_id
        WHERE ${where.join(' AND ')}`,
    )
    .all(...params) as Row[];
  // No ORDER BY (a temp B-tree sort of every row): the export orders events itself, so bookings
  // are grouped here by id, in whatever order SQLite walks them.
  const locations = new Map<string, string | null>();
  const byId = new Map<string, CalendarBooking>();
  const out: CalendarBooking[] = [];
  for (const r of rows) {
    let current = byId.get(r.id);
    if (!current) {
      let location = locations.get(r.offering_id);
      if (location === undefined) {
        location = locationFromAttributes(r.attributes);
        locations.set(r.offering_id, location);
      }
      current = {
        id: r.id,
        status: r.status as BookingStatus,
        version: r.version,
        updatedAt: r.updated_at,
        offeringId: r.offering_id,
        offeringTitle: r.offering_title,
        customerName: r.customer_name,
        notes: r.notes,
        items: [],
        location,
      };
      byId.set(r.id, current);
      out.push(current);
    }
    current.items.push({ id: r.item_id, startsAt: r.starts_at, endsAt: r.ends_at });
  }
  return out;
}
