// Shipped migration 0012_outbox_held_index: frozen once shipped. Never edit this file (test/db/migrations.test.ts keeps its hash); change the schema with a new one.
import type { Migration } from './migration.ts';

export const migration: Migration = {
  // `sync.status` counts the queued intents and those held back (undo window, paused batch) on every
  // call and every change (sync/outbox.ts `counts`). The held count read every queued row: ~40 ms per
  // call once an import had queued 100k intents (#16). Only held rows are in this index, so an
  // import's intents (no hold) cost it nothing to write; the queued count comes from outbox_state.
  name: '0012_outbox_held_index',
  up(db) {
    db.exec("CREATE INDEX outbox_held ON outbox (hold_until) WHERE state = 'queued' AND hold_until IS NOT NULL");
  },
};
