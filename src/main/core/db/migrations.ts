import type Database from 'better-sqlite3';
import { feedsTableDdl } from '../calendar/feeds.ts';
import { buildDeferredIndexesNow } from './deferred-indexes.ts';

/**
 * The replica's migrations, listed statically (bundlers break folder scanning). A shipped migration
 * is never edited: change the schema by appending a new one. Each runs in its own transaction and is
 * recorded in `schema_migrations`.
 */
export interface Migration {
  name: string;
  up(db: Database.Database): void;
}

export const migrations: readonly Migration[] = [
  {
    name: '0001_replica',
    up(db) {
      db.exec(`
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

        -- Sync state: one change cursor per resource feed (bookings, bookings:PENDING, offerings, coupons).
        CREATE TABLE sync_state (
          resource TEXT PRIMARY KEY,
          cursor TEXT,
          complete INTEGER NOT NULL DEFAULT 0,
          rows_seen INTEGER NOT NULL DEFAULT 0,
          last_sync_at TEXT
        );

        -- Server truth ------------------------------------------------------------------------------
        CREATE TABLE offerings (
          id TEXT PRIMARY KEY,
          slug TEXT NOT NULL,
          title TEXT NOT NULL,
          description TEXT NOT NULL DEFAULT '',
          status TEXT NOT NULL,
          product_type_key TEXT NOT NULL,
          categories TEXT NOT NULL DEFAULT '[]',
          attributes TEXT NOT NULL DEFAULT '{}',
          base_price_cents INTEGER NOT NULL,
          currency TEXT NOT NULL,
          tax_rate_bps INTEGER NOT NULL DEFAULT 0,
          pricing_model TEXT NOT NULL,
          cancellation_policy TEXT NOT NULL,
          rating_average REAL,
          review_count INTEGER NOT NULL DEFAULT 0,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          deleted_at TEXT,
          version INTEGER
        );

        CREATE TABLE bookings (
          id TEXT PRIMARY KEY,
          status TEXT NOT NULL,
          offering_id TEXT NOT NULL,
          offering_title TEXT NOT NULL,
          customer_id TEXT NOT NULL,
          customer_name TEXT NOT NULL,
          customer_email TEXT NOT NULL,
          customer_timezone TEXT,
          subtotal_cents INTEGER NOT NULL,
          discount_cents INTEGER NOT NULL,
          tax_cents INTEGER NOT NULL,
          total_cents INTEGER NOT NULL,
          currency TEXT NOT NULL,
          coupon_code TEXT,
          risk_score INTEGER,
          risk_review_status TEXT,
          notes TEXT NOT NULL DEFAULT '',
          refund_percent INTEGER,
          cancel_reason TEXT,
          cancelled_by TEXT,
          starts_at TEXT,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          version INTEGER
        );
        CREATE INDEX bookings_status_created ON bookings (status, created_at);
        CREATE INDEX bookings_status_starts ON bookings (status, starts_at);
        CREATE INDEX bookings_starts ON bookings (starts_at);
        CREATE INDEX bookings_offering_starts ON bookings (offering_id, starts_at);

        CREATE TABLE booking_items (
          id TEXT PRIMARY KEY,
          booking_id TEXT NOT NULL,
          position INTEGER NOT NULL,
          offering_id TEXT NOT NULL,
          starts_at TEXT NOT NULL,
          ends_at TEXT NOT NULL,
          quantity INTEGER NOT NULL,
          price_cents INTEGER NOT NULL
        );
        CREATE INDEX booking_items_booking ON booking_items (booking_id);
        CREATE INDEX booking_items_offering_starts ON booking_items (offering_id, starts_at);

        CREATE TABLE payments (
          id TEXT PRIMARY KEY,
          booking_id TEXT NOT NULL,
          amount_cents INTEGER NOT NULL,
          currency TEXT NOT NULL,
          status TEXT NOT NULL,
          created_at TEXT NOT NULL
        );
        CREATE INDEX payments_booking ON payments (booking_id);

        CREATE TABLE coupons (
          id TEXT PRIMARY KEY,
          code TEXT NOT NULL,
          kind TEXT NOT NULL,
          amount INTEGER NOT NULL,
          currency TEXT,
          valid_from TEXT,
          valid_until TEXT,
          max_redemptions INTEGER,
          min_subtotal_cents INTEGER NOT NULL DEFAULT 0,
          redeemed_count INTEGER NOT NULL DEFAULT 0,
          active INTEGER NOT NULL,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          deleted_at TEXT,
          version INTEGER
        );

        CREATE TABLE availability_rules (
          id TEXT PRIMARY KEY,
          offering_id TEXT NOT NULL,
          day_of_week INTEGER NOT NULL,
          start_time TEXT NOT NULL,
          end_time TEXT NOT NULL,
          slot_minutes INTEGER NOT NULL,
          capacity INTEGER NOT NULL,
          valid_from TEXT,
          valid_until TEXT
        );
        CREATE INDEX availability_rules_offering ON availability_rules (offering_id);

        CREATE TABLE availability_exceptions (
          id TEXT PRIMARY KEY,
          offering_id TEXT NOT NULL,
          kind TEXT NOT NULL,
          date TEXT NOT NULL,
          start_time TEXT,
          end_time TEXT,
          reason TEXT
        );
        CREATE INDEX availability_exceptions_offering ON availability_exceptions (offering_id);

        -- Facts that arrive only by webhook (written by the relay client) ------------------------------
        CREATE TABLE disputes (
          id TEXT PRIMARY KEY,
          booking_id TEXT NOT NULL,
          opened_by_id TEXT NOT NULL,
          reason TEXT NOT NULL,
          status TEXT NOT NULL,
          opened_at TEXT NOT NULL
        );
        CREATE INDEX disputes_booking ON disputes (booking_id);

        CREATE TABLE reviews (
          id TEXT PRIMARY KEY,
          offering_id TEXT NOT NULL,
          rating INTEGER NOT NULL,
          author_id TEXT NOT NULL,
          body TEXT,
          created_at TEXT NOT NULL
        );
        CREATE INDEX reviews_offering ON reviews (offering_id);

        CREATE TABLE activity (
          id TEXT PRIMARY KEY,
          at TEXT NOT NULL,
          event TEXT NOT NULL,
          summary TEXT NOT NULL,
          booking_id TEXT,
          read INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX activity_at ON activity (at);
        CREATE INDEX activity_booking ON activity (booking_id);

        CREATE TABLE inbox (
          delivery_id TEXT NOT NULL UNIQUE,
          body_sha256 TEXT NOT NULL UNIQUE,
          event TEXT NOT NULL,
          received_at TEXT NOT NULL
        );

        -- Local intents ------------------------------------------------------------------------------
        -- state: queued | sending | done | attention | discarded ("held" = queued with hold_until in the future)
        CREATE TABLE outbox (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          id TEXT NOT NULL UNIQUE,
          -- Sent as Idempotency-Key; equals id until the user retries a refused intent (a new attempt needs a new key,
          -- since the server replays stored 4xx answers for a key).
          idempotency_key TEXT NOT NULL,
          kind TEXT NOT NULL,
          target_id TEXT NOT NULL,
          method TEXT NOT NULL,
          path TEXT NOT NULL,
          body TEXT,
          payload TEXT NOT NULL,
          base_version INTEGER,
          state TEXT NOT NULL,
          created_at TEXT NOT NULL,
          hold_until TEXT,
          attempts INTEGER NOT NULL DEFAULT 0,
          next_attempt_at TEXT,
          last_error TEXT,
          response_status INTEGER,
          done_at TEXT,
          schema_version INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX outbox_state ON outbox (state, seq);
        CREATE INDEX outbox_target ON outbox (target_id, seq);

        CREATE TABLE conflicts (
          id TEXT PRIMARY KEY,
          intent_id TEXT NOT NULL,
          http_status INTEGER NOT NULL,
          code TEXT NOT NULL,
          message TEXT NOT NULL,
          server TEXT,
          local TEXT,
          created_at TEXT NOT NULL,
          resolved_at TEXT,
          resolution TEXT
        );
        CREATE INDEX conflicts_open ON conflicts (resolved_at, created_at);
        CREATE INDEX conflicts_intent ON conflicts (intent_id);

        -- Temporary ids of records created offline → the server's id once the create landed.
        CREATE TABLE id_map (temp_id TEXT PRIMARY KEY, server_id TEXT NOT NULL, kind TEXT NOT NULL);

        -- Derived: bookings whose shown state differs from truth because of local intents. Rewritten in
        -- the same transaction as every intent / truth change of that booking; never the source of truth.
        CREATE TABLE booking_overlay (
          booking_id TEXT PRIMARY KEY,
          status TEXT NOT NULL,
          starts_at TEXT,
          notes TEXT NOT NULL,
          sync_state TEXT NOT NULL
        );
        CREATE INDEX booking_overlay_status ON booking_overlay (status);
      `);
    },
  },
  {
    name: '0002_relay_rejections',
    up(db) {
      // Every relayed delivery the console refused (bad signature, not JSON, unknown event), kept
      // for the user and for support: a refusal is acknowledged to the relay, so this is its record.
      db.exec(`
        CREATE TABLE relay_rejections (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          at TEXT NOT NULL,
          seq INTEGER NOT NULL,
          delivery_id TEXT,
          event TEXT,
          reason TEXT NOT NULL,
          body_sha256 TEXT NOT NULL
        );
      `);
    },
  },
  {
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
  },
  {
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
  },
  {
    // Calendar feeds (src/main/core/calendar/feeds.ts keeps the DDL beside the code that uses it).
    name: '0005_calendar_feeds',
    up(db) {
      db.exec(feedsTableDdl);
    },
  },
  {
    // Activity keeps its summary as a code + parameters (src/shared/contract/messages.ts) next to the English
    // text, so the UI can show it in the user's language. Older rows keep NULL: the UI shows their text.
    name: '0006_activity_message',
    up(db) {
      db.exec('ALTER TABLE activity ADD COLUMN message TEXT');
    },
  },
  {
    // One sender per intent across processes (issue #15): an intent is claimed atomically before it
    // is sent (outbox.ts `claim`), so two processes on one replica never send it both.
    name: '0007_outbox_claims',
    up(db) {
      db.exec('ALTER TABLE outbox ADD COLUMN claimed_by TEXT; ALTER TABLE outbox ADD COLUMN claimed_until TEXT');
    },
  },
  {
    // The webhook inbox keeps 30 days and is pruned by age in batches (relay/inbox-pruner.ts).
    name: '0008_inbox_received_index',
    up(db) {
      db.exec('CREATE INDEX inbox_received ON inbox (received_at)');
    },
  },
];

/** Applies every migration not yet recorded, in order. */
export function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
  const applied = new Set((db.prepare('SELECT name FROM schema_migrations').all() as Array<{ name: string }>).map((r) => r.name));
  // Indexes an interrupted initial sync left to build later (db/deferred-indexes.ts) are built before
  // any new migration runs: a migration may drop, replace or rely on them.
  if (migrations.some((m) => !applied.has(m.name))) buildDeferredIndexesNow(db);
  for (const migration of migrations) {
    if (applied.has(migration.name)) continue;
    db.transaction(() => {
      migration.up(db);
      db.prepare('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)').run(migration.name, new Date().toISOString());
    }).immediate();
  }
}
