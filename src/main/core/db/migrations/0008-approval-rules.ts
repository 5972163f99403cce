// Shipped migration 0008_approval_rules: frozen. Never edit this file (test/db/migrations.test.ts keeps its hash); change the schema with a new one.
import type { Migration } from './migration.ts';

export const migration: Migration = {
  // Approval rules (#17, src/main/core/rules/): the rules as JSON in the contract's format, and one
  // row per (rule revision, booking) the runner evaluated: what it did and why.
  name: '0008_approval_rules',
  up(db) {
    db.exec(`
      CREATE TABLE rules (
        id TEXT PRIMARY KEY,
        position INTEGER NOT NULL,
        name TEXT NOT NULL,
        definition TEXT NOT NULL,        -- RuleInput JSON (src/shared/contract/types.ts)
        format_version INTEGER NOT NULL,
        enabled INTEGER NOT NULL DEFAULT 0,
        revision INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE rule_runs (
        rule_id TEXT NOT NULL,
        revision INTEGER NOT NULL,
        booking_id TEXT NOT NULL,
        outcome TEXT NOT NULL,           -- approved | flagged | skipped | capped
        reasons TEXT NOT NULL,           -- JSON list of the conditions checked and what they found
        intent_id TEXT,
        rule_name TEXT NOT NULL,
        day TEXT NOT NULL,               -- the business's calendar day (daily caps)
        at TEXT NOT NULL,
        PRIMARY KEY (rule_id, revision, booking_id)
      );
      CREATE INDEX rule_runs_booking ON rule_runs (booking_id);
      CREATE INDEX rule_runs_rule_day ON rule_runs (rule_id, day, outcome);
      -- "returning customer": earlier COMPLETED bookings of one customer.
      CREATE INDEX bookings_customer_status ON bookings (customer_id, status, created_at);
    `);
  },
};
