// Shipped migration 0005_calendar_feeds: frozen. Never edit this file (test/db/migrations.test.ts keeps its hash); change the schema with a new one.
import type { Migration } from './migration.ts';

export const migration: Migration = {
  // Calendar feeds: the DDL as src/main/core/calendar/feeds.ts held it (feedsTableDdl) when this shipped;
  // written out so an edit there can never rewrite it.
  name: '0005_calendar_feeds',
  up(db) {
    db.exec(`
  CREATE TABLE IF NOT EXISTS calendar_feeds (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,   -- hex SHA-256 of the secret token; the token is never stored
    filters TEXT NOT NULL,               -- JSON FeedFilters
    publish INTEGER NOT NULL DEFAULT 0,  -- 1: keep a snapshot published on the relay
    publish_key TEXT NOT NULL UNIQUE,    -- the relay feed key (public URL {relay}/feeds/<key>.ics)
    retired_publish_key TEXT,            -- a key to delete from the relay (after rotate / revoke)
    published_etag TEXT,                 -- ETag of the last snapshot the relay accepted
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    revoked_at TEXT
  )`);
  },
};
