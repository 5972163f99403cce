// Shipped migration 0003_booking_list_indexes: frozen. Never edit this file (test/db/migrations.test.ts keeps its hash); change the schema with a new one.
import type { Migration } from './migration.ts';

export const migration: Migration = {
  // Index-ordered listing: ties on the start/creation time are broken by id inside the index, so
  // ORDER BY … LIMIT/OFFSET walks an index instead of sorting 100k rows.
  name: '0003_booking_list_indexes',
  up(db) {
    db.exec(`
      DROP INDEX IF EXISTS bookings_status_created;
      DROP INDEX IF EXISTS bookings_status_starts;
      DROP INDEX IF EXISTS bookings_starts;
      CREATE INDEX bookings_status_created_id ON bookings (status, created_at, id);
      CREATE INDEX bookings_status_starts_id ON bookings (status, starts_at, id);
      CREATE INDEX bookings_starts_id ON bookings (starts_at, id);
    `);
  },
};
