/**
 * Damage is detected, never papered over. SQLite happily turns a 0-byte file into a new empty
 * database: for the replica that would silently drop every queued intent, so an existing file must
 * already be a SQLite database, and `PRAGMA quick_check` runs before any migration touches it: over
 * the whole file on open for one-shot commands, and for long-lived hosts over the tables that hold
 * local state on open and over the rest in the background (db/background-check.ts: at 1M bookings a
 * whole check takes seconds, which the cold start cannot afford). Damage found in the background
 * leaves a marker beside the replica (`<file>.damaged`), so every later open checks the whole file
 * before anything else. Every refusal is a `ReplicaOpenError`: one message saying what is wrong with
 * which file and what to do, never a raw `SqliteError` stack.
 */
import { closeSync, existsSync, openSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { describeWriter } from './writer-lock.ts';

/** The first 16 bytes of every SQLite 3 database file. */
const sqliteHeader = Buffer.from('SQLite format 3\0', 'latin1');

export type ReplicaProblem = 'empty' | 'not-sqlite' | 'damaged' | 'locked' | 'owned' | 'unreadable';

export class ReplicaOpenError extends Error {
  override name = 'ReplicaOpenError';
  readonly problem: ReplicaProblem;
  readonly file: string;
  /** Shown as is by the CLI (no stack): the message already says what to do. */
  readonly userFacing = true;
  constructor(problem: ReplicaProblem, file: string, message: string) {
    super(message);
    this.problem = problem;
    this.file = file;
  }
}

const doctorHint = (file: string): string =>
  `Run \`orkestr-console doctor --db ${file}\` to check it, \`--restore-latest\` to restore the newest good backup, or \`--export-outbox FILE\` to save the actions that were not sent yet.`;

/**
 * Before opening: a file that exists must be a SQLite database. Returns false when there is no file
 * (the caller creates a new replica), true when there is one to open.
 */
export function preflightReplicaFile(file: string): boolean {
  if (!existsSync(file)) return false;
  const size = statSync(file).size;
  if (size === 0) {
    throw new ReplicaOpenError('empty', file, `The replica ${file} is empty (0 bytes): it was truncated or never written. It is not re-created, so nothing queued is lost without a word. ${doctorHint(file)} If you meant to start afresh, move the file away first.`);
  }
  const head = Buffer.alloc(sqliteHeader.length);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    throw new ReplicaOpenError('unreadable', file, `Cannot read the replica ${file}: ${(error as Error).message}.`);
  }
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (size < sqliteHeader.length || !head.equals(sqliteHeader)) {
    throw new ReplicaOpenError('not-sqlite', file, `${file} is not a SQLite database (its first bytes are not "SQLite format 3"), so it is not a replica: refusing to open or overwrite it. Check the --db path. ${doctorHint(file)}`);
  }
  return true;
}

/** `PRAGMA quick_check`: the first problems SQLite found, or [] when the file is sound. */
export function quickCheck(sqlite: Database.Database, maxErrors = 5): string[] {
  const rows = sqlite.pragma(`quick_check(${maxErrors})`) as Array<{ quick_check: string }>;
  const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
  return problems;
}

/**
 * The tables checked on open when the rest is checked in the background: the ones holding what exists
 * nowhere else (actions not sent yet, their optimistic effects, settings and secrets, sync cursors).
 * Each is small whatever the tenant's size, so checking them costs milliseconds.
 */
export const localStateTables = ['outbox', 'booking_overlay', 'meta', 'schema_migrations', 'sync_state'] as const;

/** `PRAGMA quick_check(TABLE)` over each of `tables` that exists (that table and its indexes only). */
export function quickCheckTables(sqlite: Database.Database, tables: readonly string[]): string[] {
  const present = new Set((sqlite.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all() as string[]));
  const problems: string[] = [];
  for (const table of tables) {
    if (!present.has(table)) continue;
    const rows = sqlite.pragma(`quick_check(${JSON.stringify(table)})`) as Array<{ quick_check: string }>;
    for (const r of rows) if (r.quick_check !== 'ok') problems.push(r.quick_check);
  }
  return problems;
}

export const damagedError = (file: string, problems: readonly string[]): ReplicaOpenError =>
  new ReplicaOpenError('damaged', file, `The replica ${file} is damaged (SQLite quick_check: ${problems.slice(0, 3).join('; ')}). ${doctorHint(file)}`);

/**
 * How much is checked before the replica is used: `full` (the whole file, every open of a one-shot
 * command) or `local-state` (localStateTables now, the caller checks the rest in the background),
 * which becomes `full` while a damage marker says an earlier background check found damage.
 */
export type OpenCheck = 'full' | 'local-state';

export function assertSound(sqlite: Database.Database, file: string, check: OpenCheck = 'full'): void {
  const marked = existsSync(damageMarkerOf(file));
  const problems = check === 'full' || marked ? quickCheck(sqlite) : quickCheckTables(sqlite, localStateTables);
  if (problems.length > 0) throw damagedError(file, problems);
  // Sound again (restored by doctor, or the damage was in a file since replaced): the marker goes.
  if (marked) rmSync(damageMarkerOf(file), { force: true });
}

/** Left beside a replica in which a background check found damage: later opens check the whole file. */
export const damageMarkerOf = (file: string): string => `${file}.damaged`;

export function markDamaged(file: string, problems: readonly string[]): void {
  writeFileSync(damageMarkerOf(file), `${new Date().toISOString()}\n${problems.join('\n')}\n`, { mode: 0o600 });
}

/** A SQLite error met while opening, as one clear message (what, which file, what to do). */
export function explainOpenError(error: unknown, file: string): Error {
  if (error instanceof ReplicaOpenError) return error;
  const code = (error as { code?: unknown }).code;
  const text = error instanceof Error ? error.message : String(error);
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || /database is locked/.test(text)) {
    const holder = describeWriter(file);
    return new ReplicaOpenError(
      'locked',
      file,
      `The replica ${file} stayed locked by another process for the whole wait${holder ? ` (${holder})` : ''}. Let that process finish or stop it, then try again.`,
    );
  }
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || /malformed|not a database|file is encrypted/i.test(text)) {
    return new ReplicaOpenError('damaged', file, `The replica ${file} is damaged (${text}). ${doctorHint(file)}`);
  }
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY' || code === 'SQLITE_PERM') {
    return new ReplicaOpenError('unreadable', file, `Cannot open the replica ${file} for writing (${text}): check the path and its permissions.`);
  }
  return error instanceof Error ? error : new Error(text);
}
