/**
 * Rolling backups of the replica: before each migration and once a day, the last `keepBackups`
 * per replica, in `backups/` beside it (owner-only like the replica). `orkestr-console doctor
 * --restore-latest` puts the newest good one back.
 *
 * Two ways of copying, both online (other connections keep reading and writing):
 * - daily: better-sqlite3's `db.backup()` (SQLite's online backup API, copied a few pages at a time
 *   between event-loop turns, so a long-lived process never blocks on it);
 * - before a migration: `VACUUM INTO`, because opening a replica is synchronous (the constructor of
 *   every host's core) and the copy must be complete before the schema changes; it writes one
 *   consistent snapshot in one statement.
 * Both write `<name>.tmp` first and rename it, so a crash mid-copy never leaves a half file that
 * looks like a backup.
 */
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type Database from 'better-sqlite3';
import { createOwnerOnlyFile, ensureOwnerOnlyDir, restrictToOwner } from './file-modes.ts';
import { migrations } from './migrations.ts';

/** How many backups of one replica are kept (the oldest go first). */
export const keepBackups = 5;
/** A long-lived process makes a backup when the newest is older than this. */
export const dailyBackupMs = 24 * 60 * 60 * 1000;
/**
 * The first check waits this long after start: a process that lives shorter (a `sync` restarted
 * again and again, a crash loop) never starts copying, so it cannot spend its short life on a copy
 * that would never finish.
 */
export const firstBackupCheckMs = 2 * 60 * 1000;
/** A `.tmp` copy older than this was left by a process that died mid-copy: removed. */
const staleTmpMs = 10 * 60 * 1000;

export type BackupReason = 'migration' | 'daily' | 'manual';

export interface BackupFile {
  file: string;
  at: Date;
  reason: string;
}

export const backupDirOf = (replicaFile: string): string => join(dirname(replicaFile), 'backups');

const stamp = (d: Date): string => d.toISOString().replace(/[:.]/g, '-');

/** This replica's backups, newest first. */
export function listBackups(replicaFile: string): BackupFile[] {
  const dir = backupDirOf(replicaFile);
  if (!existsSync(dir)) return [];
  const prefix = `${basename(replicaFile)}.`;
  const out: BackupFile[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(prefix) || !name.endsWith('.db')) continue;
    const m = /^(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z)\.([a-z]+)\.db$/.exec(name.slice(prefix.length));
    if (!m) continue;
    const iso = m[1]!.replace(/^(\d{4}-\d{2}-\d{2}T\d{2})-(\d{2})-(\d{2})-(\d{3})Z$/, '$1:$2:$3.$4Z');
    out.push({ file: join(dir, name), at: new Date(iso), reason: m[2]! });
  }
  return out.sort((a, b) => b.at.getTime() - a.at.getTime() || b.file.localeCompare(a.file));
}

function newTarget(replicaFile: string, reason: BackupReason): { tmp: string; final: string } {
  const dir = backupDirOf(replicaFile);
  ensureOwnerOnlyDir(dir);
  removeStaleCopies(replicaFile);
  const final = join(dir, `${basename(replicaFile)}.${stamp(new Date())}.${reason}.db`);
  const tmp = `${final}.tmp`;
  rmSync(tmp, { force: true });
  createOwnerOnlyFile(tmp);
  return { tmp, final };
}

function finish(replicaFile: string, tmp: string, final: string): string {
  restrictToOwner(tmp);
  renameSync(tmp, final);
  pruneBackups(replicaFile);
  return final;
}

/** Half-written copies of this replica that a killed process left behind. */
function removeStaleCopies(replicaFile: string): void {
  const dir = backupDirOf(replicaFile);
  const prefix = `${basename(replicaFile)}.`;
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(prefix) || !name.endsWith('.db.tmp')) continue;
    const path = join(dir, name);
    try {
      if (Date.now() - statSync(path).mtimeMs > staleTmpMs) rmSync(path, { force: true });
    } catch {
      // removed by another process meanwhile
    }
  }
}

/** Keeps the newest `keep` backups of this replica. */
export function pruneBackups(replicaFile: string, keep = keepBackups): number {
  const old = listBackups(replicaFile).slice(keep);
  for (const b of old) rmSync(b.file, { force: true });
  return old.length;
}

/** A consistent copy now, in one statement (used before migrations; see the note above). */
export function backupNowSync(sqlite: Database.Database, replicaFile: string, reason: BackupReason): string {
  const { tmp, final } = newTarget(replicaFile, reason);
  try {
    sqlite.prepare('VACUUM INTO ?').run(tmp);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
  return finish(replicaFile, tmp, final);
}

/** A copy with SQLite's online backup API, without blocking the event loop. */
export async function backupOnline(sqlite: Database.Database, replicaFile: string, reason: BackupReason): Promise<string> {
  const { tmp, final } = newTarget(replicaFile, reason);
  try {
    await sqlite.backup(tmp);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
  return finish(replicaFile, tmp, final);
}

/** Whether this replica has migrations still to run (and is not a brand-new file). */
export function migrationsPending(sqlite: Database.Database): boolean {
  const hasTable = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!hasTable) return false;
  const applied = new Set((sqlite.prepare('SELECT name FROM schema_migrations').all() as Array<{ name: string }>).map((r) => r.name));
  return applied.size > 0 && migrations.some((m) => !applied.has(m.name));
}

/**
 * For long-lived processes: a backup when the newest is older than a day, checked `firstCheckMs`
 * after start (default `firstBackupCheckMs`) and every hour after that. Failures are reported through
 * `log`, never thrown (a backup must not stop the console). Returns a stop function.
 */
export function scheduleDailyBackups(sqlite: Database.Database, replicaFile: string, log: (line: string) => void = () => {}, firstCheckMs = firstBackupCheckMs): () => void {
  if (replicaFile === ':memory:') return () => {};
  let running = false;
  const check = (): void => {
    const newest = listBackups(replicaFile)[0];
    if (running || !sqlite.open || (newest && Date.now() - newest.at.getTime() < dailyBackupMs)) return;
    running = true;
    backupOnline(sqlite, replicaFile, 'daily').then(
      (file) => log(`replica backup: ${file} (${statSync(file).size} bytes)`),
      (error: unknown) => log(`replica backup failed: ${error instanceof Error ? error.message : String(error)}`),
    ).finally(() => {
      running = false;
    });
  };
  const first = setTimeout(check, firstCheckMs);
  first.unref();
  const timer = setInterval(check, 60 * 60 * 1000);
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
