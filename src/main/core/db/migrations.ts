/**
 * Runs the replica's migrations (one file each under ./migrations/, listed in its index.ts). A
 * migration is recorded by name in `schema_migrations` and never runs twice.
 */
import type Database from 'better-sqlite3';
import { buildDeferredIndexesNow } from './deferred-indexes.ts';
import { migrations } from './migrations/index.ts';

export { migrations, type Migration } from './migrations/index.ts';

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
