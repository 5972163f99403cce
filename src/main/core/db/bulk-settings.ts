/**
 * Connection settings for a pull's group commit (Replica.bulk), set before its BEGIN and put back
 * after its COMMIT or ROLLBACK (neither can change inside a transaction).
 *
 * - synchronous NORMAL: the group's commit does not wait for fsync (see Replica.bulk for why that is
 *   safe); intents are committed with FULL.
 * - temp_store MEMORY: statement journals in memory. A booking's insert (its table has triggers) and
 *   the items' and payments' INSERT OR REPLACE each open one; it spills to a temp file past 64 KiB and,
 *   once spilled, stays a file for the rest of the transaction, so every later statement wrote each
 *   page it touched to it with a pwrite: 30% of an initial sync's CPU (100k bookings applied as the
 *   puller does, no HTTP: 14.0 s → 9.8 s of CPU, of it system 5.6 s → 2.9 s). In memory it is
 *   truncated after each statement (a few pages). Only for the group: the setting also keeps sorts'
 *   spill files in memory, which a call's big sort outside a pull should not do.
 */
import type Database from 'better-sqlite3';

/** Opens the group's write transaction with its settings (put back when BEGIN fails: busy). */
export function beginBulk(sqlite: Database.Database): void {
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('temp_store = MEMORY');
  try {
    sqlite.exec('BEGIN IMMEDIATE');
  } catch (error) {
    restore(sqlite);
    throw error;
  }
}

/** Ends the group's transaction (when still open) and puts the settings back. */
export function endBulk(sqlite: Database.Database, how: 'COMMIT' | 'ROLLBACK'): void {
  try {
    if (sqlite.inTransaction) sqlite.exec(how);
  } finally {
    restore(sqlite);
  }
}

function restore(sqlite: Database.Database): void {
  sqlite.pragma('synchronous = FULL');
  if (!sqlite.inTransaction) sqlite.pragma('temp_store = DEFAULT');
}
