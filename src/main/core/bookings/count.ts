/**
 * How many bookings the replica holds, for the unfiltered bookings.list (issue #16). A count(*) walks
 * a whole index: ~1M entries at a large tenant, on every list page, while an initial sync adds rows
 * between any two calls. Kept instead as the last count plus the rows appended since (a rowid range
 * search: rowids only grow as rows are appended), recounted in full only when a booking was deleted
 * since (migration 0011 counts deletes in `meta` 'bookings.deleted'), a transaction rolled back
 * (rows it appended and this count saw are gone), or the cache is cold.
 */
import type { Replica } from '../replica/replica.ts';

interface Counted {
  n: number;
  /** Highest rowid counted. */
  through: number;
  /** The delete count and the connection's rollbacks it was made at. */
  deleted: string | null;
  rollbacks: number;
}

const counted = new WeakMap<Replica, Counted>();

export function bookingsCount(replica: Replica): number {
  const deleted = replica.getMeta('bookings.deleted');
  const rollbacks = replica.rollbacks;
  const c = counted.get(replica);
  // Two statements, not one: count(*) alone is answered from the smallest index, with max(rowid) it would read the table.
  const top = (replica.stmt('SELECT max(rowid) AS top FROM bookings').get() as { top: number | null }).top ?? 0;
  let n: number;
  if (c && c.deleted === deleted && c.rollbacks === rollbacks && top >= c.through) {
    n = c.n + (replica.stmt('SELECT count(*) AS n FROM bookings WHERE rowid > ? AND rowid <= ?').get(c.through, top) as { n: number }).n;
  } else {
    n = (replica.stmt('SELECT count(*) AS n FROM bookings').get() as { n: number }).n;
  }
  counted.set(replica, { n, through: top, deleted, rollbacks });
  return n;
}
