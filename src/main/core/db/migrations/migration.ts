import type Database from 'better-sqlite3';

/** One step of the replica's schema; runs in its own transaction and is recorded by name in `schema_migrations`. */
export interface Migration {
  name: string;
  up(db: Database.Database): void;
}
