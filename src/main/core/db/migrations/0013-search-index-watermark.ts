// Migration 0013_search_index_watermark. Once shipped, never edit this file (test/db/migrations.test.ts keeps its hash); change the schema with a new one.
import type { Migration } from './migration.ts';

export const migration: Migration = {
  // The full-text index (0007) kept row by row cost an initial sync of a large tenant most of its
  // time (issue #16). Its triggers now keep only the bookings at or below a watermark, `meta`
  // 'searchIndex.through' (a bookings rowid); without that key they keep every row, as before. An
  // initial load into empty tables sets it to 0, so the load writes no index at all, and the index
  // is then built in small chunks that raise the watermark in the same transaction as the rows they
  // add (db/search-index.ts): the index holds exactly the rows at or below it, whatever changes in
  // between and wherever a process is killed. Reaching the last row removes the key.
  // Also a count of deleted bookings ('bookings.deleted'): the unfiltered list's total is kept as a
  // count plus the rows appended since (a rowid range), valid while no booking was deleted.
  name: '0013_search_index_watermark',
  up(db) {
    db.exec(`
      DROP TRIGGER bookings_fts_insert;
      DROP TRIGGER bookings_fts_delete;
      DROP TRIGGER bookings_fts_update;
      CREATE TRIGGER bookings_fts_insert AFTER INSERT ON bookings
        WHEN new.rowid <= coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'searchIndex.through'), new.rowid)
      BEGIN
        INSERT INTO bookings_fts (rowid, id, customer_name, customer_email, offering_title)
          VALUES (new.rowid, new.id, new.customer_name, new.customer_email, new.offering_title);
      END;
      CREATE TRIGGER bookings_fts_delete AFTER DELETE ON bookings
        WHEN old.rowid <= coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'searchIndex.through'), old.rowid)
      BEGIN
        INSERT INTO bookings_fts (bookings_fts, rowid, id, customer_name, customer_email, offering_title)
          VALUES ('delete', old.rowid, old.id, old.customer_name, old.customer_email, old.offering_title);
      END;
      CREATE TRIGGER bookings_fts_update AFTER UPDATE OF id, customer_name, customer_email, offering_title ON bookings
        WHEN (old.id IS NOT new.id OR old.customer_name IS NOT new.customer_name
          OR old.customer_email IS NOT new.customer_email OR old.offering_title IS NOT new.offering_title)
          AND old.rowid <= coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'searchIndex.through'), old.rowid)
      BEGIN
        INSERT INTO bookings_fts (bookings_fts, rowid, id, customer_name, customer_email, offering_title)
          VALUES ('delete', old.rowid, old.id, old.customer_name, old.customer_email, old.offering_title);
        INSERT INTO bookings_fts (rowid, id, customer_name, customer_email, offering_title)
          VALUES (new.rowid, new.id, new.customer_name, new.customer_email, new.offering_title);
      END;
      CREATE TRIGGER bookings_count_delete AFTER DELETE ON bookings BEGIN
        INSERT INTO meta (key, value) VALUES ('bookings.deleted', '1')
          ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1;
      END;
    `);
  },
};
