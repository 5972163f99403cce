/**
 * Secondary indexes an initial sync builds after its bulk load instead of keeping them up to date
 * row by row. Keys like booking ids and start times arrive in random order, so maintaining an index
 * on them across 100k inserts touches (and, at every group commit, rewrites to the WAL) nearly every
 * page of it again and again; one CREATE INDEX over the loaded table sorts once and writes each page
 * once.
 *
 * Only into empty tables (the very first sync, or after a wipe for another tenant). Crash safety: the
 * indexes are dropped in the same transaction that records each one's DDL in `meta`
 * (`deferredIndex:<name>`), and each is built in its own transaction together with deleting that
 * record. A process killed at any point leaves either the index or its record, never neither: the
 * next full sync resumes the load without the index and builds what is recorded once the bookings feed
 * is complete; migrations build them first (a later migration may rely on them).
 *
 * `bookings_status_created_id` is never deferred: the feed arrives roughly in creation order, so it
 * is cheap to keep, and it keeps the queue (PENDING, oldest first) and its count index-backed while
 * the initial sync runs. Nor are the list's `bookings_starts_id` and `bookings_status_starts_id`
 * (issue #16): a booking is made shortly before it starts, so those keys too arrive near the end of
 * the index, and without them every bookings.list page during the load sorted the whole table
 * (seconds at 1M rows, with every other call waiting). Nor `booking_items_booking` and
 * `payments_booking`, though random: every booking view reads its items by booking id (a list page,
 * the queue, a search, a detail), and without them each read scanned every item — at 200k, the
 * bench's bookings.list during the load took as much CPU as the load itself.
 */
import type Database from 'better-sqlite3';
import { buildSearchIndexNow, deferSearchIndex } from './search-index.ts';

export const DEFERRABLE_INDEXES = [
  'bookings_offering_starts',
  'booking_items_offering_starts',
  'booking_items_offering_span',
  // approval rules' "returning customer" lookup (0008_approval_rules)
  'bookings_customer_status',
  // the queue's offering filter (0007): (status, offering) arrives in random order
  'bookings_status_offering',
] as const;

const PREFIX = 'deferredIndex:';

export interface DeferredIndex {
  name: string;
  /** Idempotent DDL (CREATE INDEX IF NOT EXISTS …). */
  sql: string;
}

const idempotent = (sql: string): string => sql.replace(/^\s*CREATE\s+INDEX\s+(IF\s+NOT\s+EXISTS\s+)?/i, 'CREATE INDEX IF NOT EXISTS ');

/** The indexes recorded as deferred (none when `meta` does not exist yet). */
export function deferredIndexes(db: Database.Database): DeferredIndex[] {
  const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
  if (!hasMeta) return [];
  const rows = db.prepare("SELECT key, value FROM meta WHERE key LIKE 'deferredIndex:%' ORDER BY key").all() as Array<{ key: string; value: string }>;
  return rows
    .map((r) => ({ name: r.key.slice(PREFIX.length), sql: idempotent(r.value) }))
    .filter((d) => /^[A-Za-z0-9_]+$/.test(d.name));
}

/**
 * Drops the deferrable indexes when bookings, booking_items and payments are all empty, recording
 * their DDL in the same transaction, and stops the full-text index there too (db/search-index.ts).
 * Returns how many indexes were dropped. Call it outside a transaction.
 */
export function deferIndexesIfEmpty(db: Database.Database): number {
  return db
    .transaction(() => {
      for (const table of ['bookings', 'booking_items', 'payments']) if (db.prepare(`SELECT 1 FROM ${table} LIMIT 1`).get()) return 0;
      let dropped = 0;
      for (const name of DEFERRABLE_INDEXES) {
        const row = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?").get(name) as { sql: string | null } | undefined;
        if (!row?.sql) continue;
        db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(PREFIX + name, row.sql);
        db.exec(`DROP INDEX ${name}`);
        dropped++;
      }
      deferSearchIndex(db);
      return dropped;
    })
    .immediate();
}

/** One index and its record, as one transaction (a script, so a worker connection can run it). */
export function buildScript(d: DeferredIndex): string {
  return `BEGIN IMMEDIATE; ${d.sql}; DELETE FROM meta WHERE key = '${PREFIX}${d.name}'; COMMIT;`;
}

/** Builds one recorded index on this connection, in its own transaction. Call it outside a transaction. */
export function buildDeferredIndexNow(db: Database.Database, d: DeferredIndex): void {
  db.transaction(() => {
    db.exec(d.sql);
    db.prepare('DELETE FROM meta WHERE key = ?').run(PREFIX + d.name);
  }).immediate();
}

/** Builds every recorded index, and completes the full-text index, on this connection (blocking; migrations, small replicas). */
export function buildDeferredIndexesNow(db: Database.Database): number {
  const pending = deferredIndexes(db);
  for (const d of pending) buildDeferredIndexNow(db, d);
  buildSearchIndexNow(db);
  return pending.length;
}
