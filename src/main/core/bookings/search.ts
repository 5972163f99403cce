/**
 * Quick search over bookings (issues #13/#16): SQLite FTS5 over customer name, e-mail, offering title
 * and booking id (`bookings_fts`, kept by triggers in the same transaction as each booking row; see
 * migration 0007). Case and diacritics are folded by the tokenizer, and each word typed is a prefix,
 * so "garcia" finds "García" and "gar ana" finds "Ana García". Best matches first (bm25).
 */
import type { BookingView } from '../../../shared/contract/types.ts';
import type { BookingsTable } from '../db/schema.ts';
import type { Replica } from '../replica.ts';

/**
 * The FTS5 query for what the user typed: every run of letters/digits becomes a quoted prefix term
 * (`"garcía"*`), all required. Quoting keeps FTS5's syntax (AND, NOT, `:`, `-`, `*`) out of user text.
 * Null when nothing searchable was typed.
 */
export function ftsQuery(text: string): string | null {
  const words = text.normalize('NFC').match(/[\p{L}\p{N}]+/gu);
  if (!words || words.length === 0) return null;
  return words.slice(0, 16).map((w) => `"${w}"*`).join(' ');
}

/** The ids of matching bookings, best first, and how many match in all. */
export function searchBookingRows(replica: Replica, text: string, limit: number, offset = 0): { rows: BookingsTable[]; total: number } {
  const query = ftsQuery(text);
  if (query === null) return { rows: [], total: 0 };
  const rows = replica
    .stmt('SELECT b.* FROM bookings_fts f JOIN bookings b ON b.rowid = f.rowid WHERE bookings_fts MATCH ? ORDER BY f.rank LIMIT ? OFFSET ?')
    .all(query, limit, offset) as BookingsTable[];
  const total = rows.length < limit && offset === 0 ? rows.length : (replica.stmt('SELECT count(*) AS n FROM bookings_fts WHERE bookings_fts MATCH ?').get(query) as { n: number }).n;
  return { rows, total };
}

export function searchBookings(replica: Replica, views: (rows: BookingsTable[]) => BookingView[], text: string, limit: number): { items: BookingView[]; total: number } {
  const { rows, total } = searchBookingRows(replica, text, limit);
  return { items: views(rows), total };
}
