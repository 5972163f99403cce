import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';

export type DB = Database.Database;

/**
 * The sandbox's SQLite schema. Offerings, bookings and coupons are stored as their full JSON record
 * (`doc`, exactly what the API answers) plus the columns we filter and order on; a list page is the
 * concatenation of `doc` strings, so it needs no per-row work. `seq` is the tenant's change sequence.
 */
const schema = `
CREATE TABLE IF NOT EXISTS tenants (
  id TEXT PRIMARY KEY, subdomain TEXT NOT NULL UNIQUE, name TEXT NOT NULL, currency TEXT NOT NULL,
  timezone TEXT NOT NULL, kyb_status TEXT NOT NULL, kyb_verified_at TEXT, seq INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS api_keys (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, prefix TEXT NOT NULL, hash TEXT NOT NULL UNIQUE,
  scopes TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT
);
CREATE INDEX IF NOT EXISTS api_keys_prefix ON api_keys(prefix);
CREATE TABLE IF NOT EXISTS offerings (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, seq INTEGER NOT NULL, slug TEXT NOT NULL, status TEXT NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0, doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS offerings_seq ON offerings(tenant_id, seq);
CREATE INDEX IF NOT EXISTS offerings_slug ON offerings(tenant_id, slug);
CREATE TABLE IF NOT EXISTS bookings (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, seq INTEGER NOT NULL, status TEXT NOT NULL,
  offering_id TEXT NOT NULL, first_start TEXT NOT NULL, last_end TEXT NOT NULL, doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS bookings_seq ON bookings(tenant_id, seq);
CREATE INDEX IF NOT EXISTS bookings_status_seq ON bookings(tenant_id, status, seq);
CREATE INDEX IF NOT EXISTS bookings_completion ON bookings(status, last_end);
CREATE TABLE IF NOT EXISTS booking_items (
  id TEXT PRIMARY KEY, booking_id TEXT NOT NULL, tenant_id TEXT NOT NULL, offering_id TEXT NOT NULL,
  starts_at TEXT NOT NULL, ends_at TEXT NOT NULL, quantity INTEGER NOT NULL, active INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS booking_items_slot ON booking_items(offering_id, starts_at);
CREATE INDEX IF NOT EXISTS booking_items_booking ON booking_items(booking_id);
CREATE TABLE IF NOT EXISTS coupons (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, seq INTEGER NOT NULL, code TEXT NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0, doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS coupons_seq ON coupons(tenant_id, seq);
CREATE INDEX IF NOT EXISTS coupons_code ON coupons(tenant_id, code);
CREATE TABLE IF NOT EXISTS availability_rules (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, offering_id TEXT NOT NULL, day_of_week INTEGER NOT NULL,
  start_time TEXT NOT NULL, end_time TEXT NOT NULL, slot_minutes INTEGER NOT NULL, capacity INTEGER NOT NULL,
  valid_from TEXT, valid_until TEXT, position INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS availability_rules_offering ON availability_rules(offering_id);
CREATE INDEX IF NOT EXISTS availability_rules_tenant ON availability_rules(tenant_id);
CREATE TABLE IF NOT EXISTS availability_exceptions (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, offering_id TEXT NOT NULL, kind TEXT NOT NULL, date TEXT NOT NULL,
  start_time TEXT, end_time TEXT, reason TEXT
);
CREATE INDEX IF NOT EXISTS availability_exceptions_offering ON availability_exceptions(offering_id, date);
CREATE INDEX IF NOT EXISTS availability_exceptions_tenant ON availability_exceptions(tenant_id);
CREATE TABLE IF NOT EXISTS disputes (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, booking_id TEXT NOT NULL, opened_by_id TEXT NOT NULL,
  reason TEXT NOT NULL, opened_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS reviews (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, offering_id TEXT NOT NULL, rating INTEGER NOT NULL,
  author_id TEXT NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS idempotency (
  tenant_id TEXT NOT NULL, key TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL, body_hash TEXT NOT NULL,
  status INTEGER NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (tenant_id, key)
);
CREATE INDEX IF NOT EXISTS idempotency_created ON idempotency(created_at);
CREATE TABLE IF NOT EXISTS effects (
  id INTEGER PRIMARY KEY AUTOINCREMENT, tenant_id TEXT NOT NULL, idempotency_key TEXT NOT NULL, kind TEXT NOT NULL,
  target_id TEXT NOT NULL, at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS webhook_subscriptions (
  tenant_id TEXT PRIMARY KEY, url TEXT NOT NULL, secret TEXT NOT NULL, retry_base_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, event TEXT NOT NULL, body TEXT NOT NULL, status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL, last_error TEXT, last_status INTEGER,
  created_at TEXT NOT NULL, delivered_at TEXT
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(status, next_attempt_at);
`;

export function openDatabase(file: string): { db: DB; isNew: boolean } {
  const existed = file !== ':memory:' && existsSync(file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -65536'); // 64 MiB: big seeds insert into random-key B-trees

  db.exec(schema);
  const tenants = (db.prepare('SELECT count(*) AS n FROM tenants').get() as { n: number }).n;
  return { db, isNew: !existed || tenants === 0 };
}
