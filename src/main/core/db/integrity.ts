/**
 * Damage is detected, never papered over. SQLite happily turns a 0-byte file into a new empty
 * database: for the replica that would silently drop every queued intent, so an existing file must
 * already be a SQLite database, and `PRAGMA quick_check` runs on every open (before any migration
 * touches it). Every refusal is a `ReplicaOpenError`: one message saying what is wrong with which
 * file and what to do, never a raw `SqliteError` stack.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
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

export function assertSound(sqlite: Database.Database, file: string): void {
  const problems = quickCheck(sqlite);
  if (problems.length > 0) {
    throw new ReplicaOpenError('damaged', file, `The replica ${file} is damaged (SQLite quick_check: ${problems.slice(0, 3).join('; ')}). ${doctorHint(file)}`);
  }
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
