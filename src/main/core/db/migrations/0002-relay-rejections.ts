// Shipped migration 0002_relay_rejections: frozen. Never edit this file (test/db/migrations.test.ts keeps its hash); change the schema with a new one.
import type { Migration } from './migration.ts';

export const migration: Migration = {
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
};
