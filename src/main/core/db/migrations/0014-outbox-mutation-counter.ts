// Migration 0014_outbox_mutation_counter. Once shipped, never edit this file (test/db/migrations.test.ts keeps its hash); change the schema with a new one.
import type { Migration } from './migration.ts';

export const migration: Migration = {
  // `sync.status` counts the queued intents on every call and every change; with an import's 100k
  // queued that count read 100k index entries, 5-10 ms a call (#16). Intents are only ever appended
  // (seq is AUTOINCREMENT, never reused), so a count stays right plus the rows appended since, for
  // as long as no intent changed state or went away. This counter, `meta` 'outbox.mutations', says
  // when one did (sync/outbox.ts `counts`). A counter per state kept by insert triggers would make
  // each of an import's 100k inserts run a statement: +0.4-0.8 s measured on 100k; here an insert
  // runs nothing, and a change of state (one intent sent, answered or undone) one small update.
  name: '0014_outbox_mutation_counter',
  up(db) {
    db.exec(`
      CREATE TRIGGER outbox_state_mutation AFTER UPDATE OF state ON outbox WHEN old.state IS NOT new.state BEGIN
        INSERT INTO meta (key, value) VALUES ('outbox.mutations', '1')
          ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1;
      END;
      CREATE TRIGGER outbox_delete_mutation AFTER DELETE ON outbox BEGIN
        INSERT INTO meta (key, value) VALUES ('outbox.mutations', '1')
          ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1;
      END;
    `);
  },
};
