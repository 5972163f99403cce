/**
 * Quick search over bookings (issues #13/#16): SQLite FTS5 over customer name, e-mail, offering title
 * and booking id (`bookings_fts`, kept by triggers in the same transaction as each booking row; see
 * migration 0007). Case and diacritics are folded by the tokenizer, and each word typed is a prefix,
 * so "garcia" finds "García" and "gar ana" finds "Ana García". Best matches first (bm25), or newest
 * first when more than rankedSearchLimit match (a very short or common word). Right after an initial
 * sync the index may still be under construction: results then carry `indexing` (see searchIndexing).
 */
import type { BookingView, SearchIndexing } from '../../../shared/contract/types.ts';
import type { BookingsTable } from '../db/schema.ts';
import type { Replica } from '../replica/replica.ts';

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

/** Up to this many matches are ranked by relevance (bm25); more are listed newest first (ranking 25k matches costs ~40 ms of CPU, listing them ~7 ms). */
export const rankedSearchLimit = 2000;

/** The matching bookings, best first (or newest first when there are very many), and how many match in all. */
export function searchBookingRows(replica: Replica, text: string, limit: number, offset = 0): { rows: BookingsTable[]; total: number } {
  const query = ftsQuery(text);
  if (query === null) return { rows: [], total: 0 };
  const total = (replica.stmt('SELECT count(*) AS n FROM bookings_fts WHERE bookings_fts MATCH ?').get(query) as { n: number }).n;
  if (total === 0) return { rows: [], total };
  const order = total <= rankedSearchLimit ? 'f.rank' : 'f.rowid DESC';
  const rows = replica.stmt(`SELECT b.* FROM bookings_fts f JOIN bookings b ON b.rowid = f.rowid WHERE bookings_fts MATCH ? ORDER BY ${order} LIMIT ? OFFSET ?`).all(query, limit, offset) as BookingsTable[];
  return { rows, total };
}

/**
 * While the index is still being built after an initial sync (db/search-index.ts), how far it got:
 * a search then finds only the bookings indexed so far, and says so. Null when it is complete.
 */
export function searchIndexing(replica: Replica): SearchIndexing | null {
  const s = replica.searchIndexState();
  return s ? { done: s.through, total: s.last } : null;
}

export function searchBookings(replica: Replica, views: (rows: BookingsTable[]) => BookingView[], text: string, limit: number): { items: BookingView[]; total: number; indexing: SearchIndexing | null } {
  const { rows, total } = searchBookingRows(replica, text, limit);
  return { items: views(rows), total, indexing: searchIndexing(replica) };
}
