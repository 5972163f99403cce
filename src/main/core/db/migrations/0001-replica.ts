// Shipped migration 0001_replica: frozen. Never edit this file (test/db/migrations.test.ts keeps its hash); change the schema with a new one.
import type { Migration } from './migration.ts';

export const migration: Migration = {
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
};
