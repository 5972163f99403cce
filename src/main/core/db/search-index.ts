/**
 * The full-text index of bookings (`bookings_fts`, migration 0007) built after an initial load
 * instead of row by row during it (issue #16). Its triggers keep only the bookings whose rowid is at
 * or below `meta` 'searchIndex.through' (migration 0011); without the key they keep every row.
 *
 * - `deferSearchIndex` (in the transaction that defers the other indexes, tables empty) sets the
 *   watermark to 0: the load then writes nothing to the index.
 * - `buildSearchIndexChunk` adds the next rows above the watermark and raises it in one transaction,
 *   and removes the key once no row is left above it. Bookings rowids only grow when appended, so the
 *   index holds exactly the rows at or below the watermark at every commit: a killed process leaves a
 *   consistent partial index, and the next start continues from the watermark.
 *
 * A chunk is sized to a few milliseconds of work (the thread that runs it also answers calls).
 * Where a checkpoint worker runs, a chunk's writes are run by its connection instead
 * (`buildSearchIndexChunkOn`): FTS5 merges its segments at commit, and at 1M rows one such commit
 * held the engine's loop 225 ms.
 */
import type Database from 'better-sqlite3';

export const SEARCH_WATERMARK = 'searchIndex.through';

export interface SearchIndexState {
  /** Highest bookings rowid in the index. */
  through: number;
  /** Highest bookings rowid. */
  last: number;
}

/** Null when the index is complete (kept row by row), otherwise how far it got. */
export function searchIndexState(db: Database.Database): SearchIndexState | null {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(SEARCH_WATERMARK) as { value: string } | undefined;
  if (!row) return null;
  const last = (db.prepare('SELECT max(rowid) AS n FROM bookings').get() as { n: number | null }).n ?? 0;
  return { through: Number(row.value) || 0, last };
}

/**
 * Stops index maintenance for an initial load: the bookings table must be empty (the caller checks,
 * inside its transaction). Clears what an external-content index may still hold for rows long gone.
 */
export function deferSearchIndex(db: Database.Database): void {
  db.exec("INSERT INTO bookings_fts (bookings_fts) VALUES ('delete-all')");
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(SEARCH_WATERMARK, '0');
}

/**
 * Indexes up to `rows` bookings above the watermark and raises it, in the caller's transaction.
 * Returns the state after it, or null when the index is now complete (or already was).
 */
export function buildSearchIndexChunk(db: Database.Database, rows: number): SearchIndexState | null {
  const state = searchIndexState(db);
  if (!state) return null;
  const top = nextChunkTop(db, state.through, rows);
  if (top === null) {
    db.prepare('DELETE FROM meta WHERE key = ?').run(SEARCH_WATERMARK);
    return null;
  }
  db.prepare(
    `INSERT INTO bookings_fts (rowid, id, customer_name, customer_email, offering_title)
     SELECT rowid, id, customer_name, customer_email, offering_title FROM bookings WHERE rowid > ? AND rowid <= ?`,
  ).run(state.through, top);
  db.prepare('UPDATE meta SET value = ? WHERE key = ?').run(String(top), SEARCH_WATERMARK);
  return { through: top, last: state.last };
}

/** The highest rowid of the next `rows` bookings above `through`, or null when there is none. */
function nextChunkTop(db: Database.Database, through: number, rows: number): number | null {
  return (db.prepare('SELECT max(rowid) AS n FROM (SELECT rowid FROM bookings WHERE rowid > ? ORDER BY rowid LIMIT ?)').get(through, rows) as { n: number | null }).n;
}

/**
 * `buildSearchIndexChunk` with its writes run by another connection (`exec`: Checkpointer.exec, a
 * worker thread): the range is read here, the rows are indexed and the watermark raised there, in
 * one transaction that does nothing if the watermark moved meanwhile. Rows appended after the read
 * get higher rowids and stay above the new watermark, for the next chunk. Removing the key once no
 * row is left is one small write, done here.
 */
export async function buildSearchIndexChunkOn(db: Database.Database, exec: (sql: string) => Promise<void>, rows: number): Promise<SearchIndexState | null> {
  const state = searchIndexState(db);
  if (!state) return null;
  const top = nextChunkTop(db, state.through, rows);
  if (top === null) {
    db.prepare('DELETE FROM meta WHERE key = ? AND value = ?').run(SEARCH_WATERMARK, String(state.through));
    return null;
  }
  // Both are integers read from SQLite: written into the script as literals (exec takes no parameters).
  const [from, to] = [Math.trunc(state.through), Math.trunc(top)];
  const unchanged = `EXISTS (SELECT 1 FROM meta WHERE key = '${SEARCH_WATERMARK}' AND value = '${from}')`;
  await exec(`BEGIN IMMEDIATE;
    INSERT INTO bookings_fts (rowid, id, customer_name, customer_email, offering_title)
      SELECT rowid, id, customer_name, customer_email, offering_title FROM bookings WHERE rowid > ${from} AND rowid <= ${to} AND ${unchanged};
    UPDATE meta SET value = '${to}' WHERE key = '${SEARCH_WATERMARK}' AND value = '${from}';
    COMMIT;`);
  return searchIndexState(db) ?? { through: to, last: state.last };
}

/** Completes the index on this connection, blocking (migrations, tests). Call it outside a transaction. */
export function buildSearchIndexNow(db: Database.Database): void {
  const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
  if (!hasMeta) return;
  while (db.transaction(() => buildSearchIndexChunk(db, 50_000)).immediate());
}
