// Shipped migration 0004_import_tables: frozen. Never edit this file (test/db/migrations.test.ts keeps its hash); change the schema with a new one.
import type { Migration } from './migration.ts';

export const migration: Migration = {
  // The catalogue importer's tables (src/main/core/import/replica-sink.ts created them with IF NOT
  // EXISTS until they had a place here; same definitions, so existing files are unaffected).
  name: '0004_import_tables',
  up(db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS import_batches (
        id TEXT PRIMARY KEY, file_name TEXT NOT NULL, created_at TEXT NOT NULL,
        state TEXT NOT NULL, -- committed | paused | rolled_back
        created INTEGER NOT NULL, updated INTEGER NOT NULL, unchanged INTEGER NOT NULL, rules INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS import_rules (
        id INTEGER PRIMARY KEY, batch_id TEXT NOT NULL, offering_id TEXT NOT NULL, slug TEXT NOT NULL,
        day_of_week INTEGER NOT NULL, start_time TEXT NOT NULL, end_time TEXT NOT NULL,
        slot_minutes INTEGER NOT NULL, capacity INTEGER NOT NULL, valid_from TEXT, valid_until TEXT
      );
      CREATE INDEX IF NOT EXISTS import_rules_offering ON import_rules (offering_id);
    `);
  },
};
