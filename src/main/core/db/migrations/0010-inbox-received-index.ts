// Shipped migration 0010_inbox_received_index: frozen. Never edit this file (test/db/migrations.test.ts keeps its hash); change the schema with a new one.
import type { Migration } from './migration.ts';

export const migration: Migration = {
  // The webhook inbox keeps 30 days and is pruned by age in batches (relay-link/inbox-pruner.ts).
  name: '0010_inbox_received_index',
  up(db) {
    db.exec('CREATE INDEX inbox_received ON inbox (received_at)');
  },
};
