// Shipped migration 0009_outbox_claims: frozen. Never edit this file (test/db/migrations.test.ts keeps its hash); change the schema with a new one.
import type { Migration } from './migration.ts';

export const migration: Migration = {
  // One sender per intent across processes (issue #15): an intent is claimed atomically before it
  // is sent (sync/outbox.ts `claim`), so two processes on one replica never send it both.
  name: '0009_outbox_claims',
  up(db) {
    db.exec('ALTER TABLE outbox ADD COLUMN claimed_by TEXT; ALTER TABLE outbox ADD COLUMN claimed_until TEXT');
  },
};
