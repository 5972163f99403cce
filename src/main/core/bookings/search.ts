/**
 * Quick search over bookings (issues #13/#16): SQLite FTS5 over customer name, e-mail, offering title
 * and booking id (`bookings_fts`, kept by triggers in the same transaction as each booking row; see
 * migration 0007). Case and diacritics are folded by the tokenizer, and each word typed is a prefix,
 * so "garcia" finds "García" and "gar ana" finds "Ana García". Best matches first (bm25), or newest
 * first when more than searchCountCap match (a very short or common word): then the count stops there.
 * Right after an initial sync the index may still be under construction: results then carry
 * `indexing` (see searchIndexing).
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

/**
 * Matches are counted up to this many; past it the answer says `capped` ("1,000+"). At 1M bookings a
 * common name matches ~25k rows, and counting them all would read the whole match list a second time.
 */
export const searchCountCap = 1000;

/**
 * The matching bookings, best first (bm25), or newest first when more than searchCountCap match (a
 * very short or common word, where relevance says little), and how many match up to the cap.
 *
 * The first pass reads only the newest cap + 1 matches' rowids, walking the match list backwards and
 * stopping there: a prefix term ("garcía"* also matches the ~1,000 e-mail tokens garcia1…garcia999)
 * merges every matching token's list once per query (~8 ms of CPU at 1M bookings), so listing a
 * common word costs one merge where a full count and then a listing cost two. bm25 is computed only
 * when few match (second pass; scoring the first pass's 1,001 rows would double its cost). Only the
 * window's rows are read from the table.
 */
export function searchBookingRows(replica: Replica, text: string, limit: number, offset = 0): { rows: BookingsTable[]; total: number; capped: boolean } {
  const query = ftsQuery(text);
  if (query === null) return { rows: [], total: 0, capped: false };
  const hits = replica.stmt('SELECT rowid FROM bookings_fts WHERE bookings_fts MATCH ? ORDER BY rowid DESC LIMIT ?').pluck().all(query, searchCountCap + 1) as number[];
  const capped = hits.length > searchCountCap;
  const total = capped ? searchCountCap : hits.length;
  if (total === 0 || offset >= total) return { rows: [], total, capped };
  const window = capped
    ? hits.slice(offset, Math.min(total, offset + limit))
    : (replica.stmt('SELECT rowid FROM bookings_fts WHERE bookings_fts MATCH ? ORDER BY rank LIMIT ? OFFSET ?').pluck().all(query, limit, offset) as number[]);
  const byRowid = new Map(
    (replica.stmt('SELECT rowid AS _rowid, * FROM bookings WHERE rowid IN (SELECT value FROM json_each(?))').all(JSON.stringify(window)) as Array<BookingsTable & { _rowid: number }>).map(({ _rowid, ...row }) => [_rowid, row as BookingsTable]),
  );
  const rows = window.map((id) => byRowid.get(id)).filter((r): r is BookingsTable => r !== undefined);
  return { rows, total, capped };
}

/**
 * While the index is still being built after an initial sync (db/search-index.ts), how far it got:
 * a search then finds only the bookings indexed so far, and says so. Null when it is complete.
 */
export function searchIndexing(replica: Replica): SearchIndexing | null {
  const s = replica.searchIndexState();
  return s ? { done: s.through, total: s.last } : null;
}

export function searchBookings(replica: Replica, views: (rows: BookingsTable[]) => BookingView[], text: string, limit: number): { items: BookingView[]; total: number; capped: boolean; indexing: SearchIndexing | null } {
  const { rows, total, capped } = searchBookingRows(replica, text, limit);
  return { items: views(rows), total, capped, indexing: searchIndexing(replica) };
}
