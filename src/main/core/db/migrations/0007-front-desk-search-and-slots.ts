// Shipped migration 0007_front_desk_search_and_slots: frozen. Never edit this file (test/db/migrations.test.ts keeps its hash); change the schema with a new one.
import type { Migration } from './migration.ts';

export const migration: Migration = {
  // The front desk (issues #13/#16). Full-text search over customer name, e-mail, offering title and
  // booking id: an FTS5 index on the bookings table kept by triggers, so it changes in the very
  // transaction that changes a booking (sync pull, webhook, import) and can never lag or half-apply.
  // Diacritics and case are folded ("garcia" finds "García"). Indexes for the queue's filters and the
  // slot check: pending by offering, pending by risk review, and each offering's longest item (the
  // slot check bounds its overlap search with it instead of scanning an offering's whole history).
  name: '0007_front_desk_search_and_slots',
  up(db) {
    db.exec(`
      CREATE VIRTUAL TABLE bookings_fts USING fts5(
        id, customer_name, customer_email, offering_title,
        content = 'bookings', content_rowid = 'rowid',
        tokenize = 'unicode61 remove_diacritics 2'
      );
      CREATE TRIGGER bookings_fts_insert AFTER INSERT ON bookings BEGIN
        INSERT INTO bookings_fts (rowid, id, customer_name, customer_email, offering_title)
          VALUES (new.rowid, new.id, new.customer_name, new.customer_email, new.offering_title);
      END;
      CREATE TRIGGER bookings_fts_delete AFTER DELETE ON bookings BEGIN
        INSERT INTO bookings_fts (bookings_fts, rowid, id, customer_name, customer_email, offering_title)
          VALUES ('delete', old.rowid, old.id, old.customer_name, old.customer_email, old.offering_title);
      END;
      CREATE TRIGGER bookings_fts_update AFTER UPDATE OF id, customer_name, customer_email, offering_title ON bookings
        WHEN old.id IS NOT new.id OR old.customer_name IS NOT new.customer_name
          OR old.customer_email IS NOT new.customer_email OR old.offering_title IS NOT new.offering_title
      BEGIN
        INSERT INTO bookings_fts (bookings_fts, rowid, id, customer_name, customer_email, offering_title)
          VALUES ('delete', old.rowid, old.id, old.customer_name, old.customer_email, old.offering_title);
        INSERT INTO bookings_fts (rowid, id, customer_name, customer_email, offering_title)
          VALUES (new.rowid, new.id, new.customer_name, new.customer_email, new.offering_title);
      END;
      INSERT INTO bookings_fts (bookings_fts) VALUES ('rebuild');
      CREATE INDEX bookings_status_offering ON bookings (status, offering_id);
      CREATE INDEX bookings_status_risk_created ON bookings (status, risk_review_status, created_at, id);
      CREATE INDEX booking_items_offering_span ON booking_items (offering_id, (julianday(ends_at) - julianday(starts_at)));
    `);
  },
};
