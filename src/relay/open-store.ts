import type { RelayStore } from './store.ts';

export function isPostgresUrl(store: string): boolean {
  return /^postgres(ql)?:\/\//i.test(store);
}

/**
 * Opens the store named by a file path (SQLite) or a postgres:// URL. Each store is loaded only when
 * asked for, so a SQLite-only relay never loads pg and a PostgreSQL one never loads better-sqlite3.
 */
export async function openStore(store: string, options: { sqliteWriterThread?: boolean } = {}): Promise<RelayStore> {
  if (isPostgresUrl(store)) {
    const { openPostgresStore } = await import('./store-postgres.ts');
    return openPostgresStore(store);
  }
  const { openSqliteStore } = await import('./store-sqlite.ts');
  return openSqliteStore(store, { writerThread: options.sqliteWriterThread ?? false });
}
