/**
 * bookings.list paged by a keyset cursor (issue #16): a deep page is an index search from the last
 * row's (first start, id), not an OFFSET that walks every row before it. Same order as the offset
 * listing (first start newest first, then id; bookings without a start after all others) and the
 * same filters; with a status, the two arms of the offset listing (truth without intents, overlay)
 * are each read after the cursor and merged.
 */
import { ContractError, type BookingStatus, type BookingView } from '../../../shared/contract/types.ts';
import type { BookingsTable } from '../db/schema.ts';
import type { Replica } from '../replica/replica.ts';
import { bookingsCount } from './count.ts';
import { ftsQuery } from './search.ts';

export interface ListFilter {
  status?: BookingStatus;
  offeringId?: string;
  from?: string;
  to?: string;
  search?: string;
}

/** Position: phase 1 holds rows without a start (listed last). */
interface Key {
  phase: 0 | 1;
  start: string;
  id: string;
}

export function listCursor(row: Pick<BookingsTable, 'starts_at' | 'id'>): string {
  return Buffer.from(JSON.stringify(['list', row.starts_at === null ? 1 : 0, row.starts_at ?? '', row.id])).toString('base64url');
}

function decode(cursor: string): Key {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v[0] === 'list' && (v[1] === 0 || v[1] === 1) && typeof v[2] === 'string' && typeof v[3] === 'string') return { phase: v[1], start: v[2], id: v[3] };
  } catch {
    // not one of ours: said below
  }
  throw new ContractError('BAD_INPUT', 'cursor is not one bookings.list gave (pass back its nextCursor as it is).', [{ path: 'cursor', message: 'not a bookings.list cursor' }]);
}

/** Descending order: a row comes after `k` in the listing. */
const after = (a: Key, k: Key): boolean => a.phase > k.phase || (a.phase === k.phase && (a.start < k.start || (a.start === k.start && a.id < k.id)));
const keyOf = (r: BookingsTable): Key => ({ phase: r.starts_at === null ? 1 : 0, start: r.starts_at ?? '', id: r.id });

function filterSql(f: ListFilter): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.offeringId) {
    where.push('b.offering_id = ?');
    params.push(f.offeringId);
  }
  if (f.from) {
    where.push('b.starts_at >= ?');
    params.push(new Date(f.from).toISOString());
  }
  if (f.to) {
    where.push('b.starts_at < ?');
    params.push(new Date(f.to).toISOString());
  }
  if (f.search && f.search.trim()) {
    const q = ftsQuery(f.search);
    if (q === null) where.push('0');
    else {
      where.push('b.rowid IN (SELECT rowid FROM bookings_fts WHERE bookings_fts MATCH ?)');
      params.push(q);
    }
  }
  return { where, params };
}

/** Up to `take` rows of one arm after the cursor, in listing order. */
function arm(replica: Replica, base: string, params: unknown[], k: Key | null, take: number): BookingsTable[] {
  let rows: BookingsTable[] = [];
  if (!k || k.phase === 0) {
    rows = k
      ? (replica.stmt(`${base} AND b.starts_at IS NOT NULL AND (b.starts_at, b.id) < (?, ?) ORDER BY b.starts_at DESC, b.id DESC LIMIT ?`).all(...params, k.start, k.id, take) as BookingsTable[])
      : (replica.stmt(`${base} AND b.starts_at IS NOT NULL ORDER BY b.starts_at DESC, b.id DESC LIMIT ?`).all(...params, take) as BookingsTable[]);
    if (rows.length >= take) return rows;
  }
  const below = k?.phase === 1 ? k.id : '\uffff';
  return rows.concat(replica.stmt(`${base} AND b.starts_at IS NULL AND b.id < ? ORDER BY b.id DESC LIMIT ?`).all(...params, below, take - rows.length) as BookingsTable[]);
}

/** The cursor after an offset page's last row (so a caller can go on by keyset); null at the end. */
export function cursorAfterOffsetPage(replica: Replica, page: { items: BookingView[]; total: number }, offset: number): string | null {
  const last = page.items[page.items.length - 1];
  if (!last || offset + page.items.length >= page.total) return null;
  const row = replica.stmt('SELECT starts_at, id FROM bookings WHERE id = ?').get(last.id) as Pick<BookingsTable, 'starts_at' | 'id'> | undefined;
  return row ? listCursor(row) : null;
}

export function listBookingsAfter(replica: Replica, views: (rows: BookingsTable[]) => BookingView[], f: ListFilter & { cursor: string; limit: number }): { items: BookingView[]; total: number; nextCursor: string | null } {
  const k = decode(f.cursor);
  const { where, params } = filterSql(f);
  const cond = where.length ? ` AND ${where.join(' AND ')}` : '';
  let rows: BookingsTable[];
  let total: number;
  if (f.status) {
    const truth = `SELECT b.* FROM bookings b WHERE b.status = ? AND NOT EXISTS (SELECT 1 FROM booking_overlay o WHERE o.booking_id = b.id)${cond}`;
    const overlay = `SELECT b.* FROM bookings b WHERE b.id IN (SELECT o2.booking_id FROM booking_overlay o2 WHERE o2.status = ?)${cond}`;
    rows = [...arm(replica, truth, [f.status, ...params], k, f.limit + 1), ...arm(replica, overlay, [f.status, ...params], k, f.limit + 1)];
    rows.sort((a, b) => (after(keyOf(a), keyOf(b)) ? 1 : after(keyOf(b), keyOf(a)) ? -1 : 0));
    const count = (sql: string): number => (replica.stmt(sql.replace('SELECT b.*', 'SELECT count(*) AS n')).get(f.status, ...params) as { n: number }).n;
    total = count(truth) + count(overlay);
  } else {
    rows = arm(replica, `SELECT b.* FROM bookings b WHERE 1${cond}`, params, k, f.limit + 1);
    total = where.length === 0 ? bookingsCount(replica) : (replica.stmt(`SELECT count(*) AS n FROM bookings b WHERE 1${cond}`).get(...params) as { n: number }).n;
  }
  const page = rows.slice(0, f.limit);
  const last = page[page.length - 1];
  return { items: views(page), total, nextCursor: rows.length > f.limit && last ? listCursor(last) : null };
}
