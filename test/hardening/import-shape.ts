/**
 * What an import left in a replica file, for the import crash tests (one-transaction and staged):
 * counts of the import's rows and the intents queued before it, as stored.
 */
import type { Database as SqliteDatabase } from 'better-sqlite3';

export interface ImportShape {
  offerings: number;
  rules: number;
  batches: number;
  importIntents: number;
  /** The intents queued before the import, as stored. */
  before: string;
}

export function importShape(db: SqliteDatabase): ImportShape {
  const n = (sql: string): number => (db.prepare(sql).get() as { n: number }).n;
  return {
    offerings: n('SELECT COUNT(*) AS n FROM offerings'),
    rules: n('SELECT COUNT(*) AS n FROM availability_rules') + n('SELECT COUNT(*) AS n FROM import_rules'),
    batches: n('SELECT COUNT(*) AS n FROM import_batches'),
    importIntents: n("SELECT COUNT(*) AS n FROM outbox WHERE kind NOT LIKE 'booking.%'"),
    before: JSON.stringify(db.prepare("SELECT id, idempotency_key, kind, target_id, state, payload, attempts FROM outbox WHERE kind LIKE 'booking.%' ORDER BY seq").all()),
  };
}
