// Shipped migration 0011_import_staging: frozen once shipped. Never edit this file (test/db/migrations.test.ts keeps its hash); change the schema with a new one.
import type { Migration } from './migration.ts';

export const migration: Migration = {
  // A big import is committed in steps (issue #16): its rows are written here first, a few
  // thousand per short transaction, where nothing reads them (not the pusher, not the overlay);
  // then one short transaction decides the import (import_batches row + state 'moving'), and the
  // rows move to outbox / import_rules in steps, resumed at the next open after a crash. A batch
  // still 'staging' at open was never decided: its rows are dropped.
  name: '0011_import_staging',
  up(db) {
    db.exec(`
      CREATE TABLE import_staging (
        batch_id TEXT PRIMARY KEY,
        state TEXT NOT NULL,            -- staging | moving
        file_name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        pid INTEGER NOT NULL,           -- the process writing it: recovery leaves a live writer's batch alone
        moved_drops INTEGER NOT NULL DEFAULT 0,   -- the last seq of each stage table already moved in
        moved_rules INTEGER NOT NULL DEFAULT 0,
        moved_intents INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE import_stage_intents (
        seq INTEGER PRIMARY KEY, batch_id TEXT NOT NULL, id TEXT NOT NULL, kind TEXT NOT NULL, target_id TEXT NOT NULL,
        method TEXT NOT NULL, path TEXT NOT NULL, body TEXT, payload TEXT NOT NULL, base_version INTEGER,
        created_at TEXT NOT NULL, hold_until TEXT
      );
      CREATE TABLE import_stage_rules (
        seq INTEGER PRIMARY KEY, batch_id TEXT NOT NULL, offering_id TEXT NOT NULL, slug TEXT NOT NULL,
        day_of_week INTEGER NOT NULL, start_time TEXT NOT NULL, end_time TEXT NOT NULL,
        slot_minutes INTEGER NOT NULL, capacity INTEGER NOT NULL, valid_from TEXT, valid_until TEXT
      );
      -- A move step records how far it got in the transaction that moves the rows, so a resumed move
      -- starts where it stopped; the rows are deleted at the end, all at once.
      -- Offerings whose earlier imported rules the batch replaces (deleted when it moves, before its rules).
      CREATE TABLE import_stage_drops (seq INTEGER PRIMARY KEY, batch_id TEXT NOT NULL, offering_id TEXT NOT NULL);
    `);
  },
};
