/**
 * `orkestr-console doctor`: checks a replica, restores the newest good backup, and saves the outbox
 * (the actions not sent yet) of a damaged one, so no offline action is lost.
 *
 * Restoring never deletes anything: the damaged file (and its WAL/SHM) is moved aside as
 * `<replica>.damaged-<time>`, and the unfinished intents still readable in it are carried into the
 * restored replica (a backup is older than the last actions queued).
 */
import { copyFileSync, existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { listBackups, type BackupFile } from './backup.ts';
import { ownerOnlyFileMode, replicaCompanions, restrictReplicaFiles, restrictToOwner } from './file-modes.ts';
import { preflightReplicaFile, quickCheck, ReplicaOpenError } from './integrity.ts';
import { describeWriter } from './writer-lock.ts';
import { Replica } from '../replica/replica.ts';

export interface DoctorCheck {
  name: 'file' | 'integrity' | 'outbox' | 'owner' | 'permissions' | 'backups';
  ok: boolean;
  detail: string;
}

export interface DoctorReport {
  file: string;
  ok: boolean;
  checks: DoctorCheck[];
}

/** An intent as exported: everything needed to send it again under the same idempotency key. */
export interface ExportedIntent {
  seq: number;
  id: string;
  idempotency_key: string;
  kind: string;
  target_id: string;
  method: string;
  path: string;
  body: string | null;
  payload: string;
  base_version: number | null;
  state: string;
  created_at: string;
  attempts: number;
  schema_version: number;
}

const unfinished = "state IN ('queued','attention')";

function openReadOnly(file: string): Database.Database {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return db;
}

/** A backup that opens and passes quick_check. */
function isGood(backup: BackupFile): boolean {
  try {
    preflightReplicaFile(backup.file);
    const db = openReadOnly(backup.file);
    try {
      return quickCheck(db).length === 0;
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}

export function diagnoseReplica(file: string): DoctorReport {
  const checks: DoctorCheck[] = [];
  let readable = false;
  try {
    if (!preflightReplicaFile(file)) checks.push({ name: 'file', ok: false, detail: `no file at ${file}` });
    else {
      checks.push({ name: 'file', ok: true, detail: `SQLite database, ${statSync(file).size} bytes` });
      readable = true;
    }
  } catch (error) {
    checks.push({ name: 'file', ok: false, detail: (error as Error).message });
  }
  if (readable) {
    try {
      const db = openReadOnly(file);
      try {
        const problems = quickCheck(db);
        checks.push({ name: 'integrity', ok: problems.length === 0, detail: problems.length === 0 ? 'quick_check ok' : `quick_check: ${problems.join('; ')}` });
      } finally {
        db.close();
      }
    } catch (error) {
      checks.push({ name: 'integrity', ok: false, detail: (error as Error).message });
    }
    const salvage = readUnfinishedIntents(file);
    checks.push({
      name: 'outbox',
      ok: salvage.complete,
      detail: `${salvage.intents.length} unfinished intent(s) readable${salvage.complete ? '' : `; some rows could not be read (${salvage.error})`}`,
    });
    const modes = [file, ...replicaCompanions.map((s) => `${file}${s}`)].filter((f) => existsSync(f)).filter((f) => (statSync(f).mode & 0o077) !== 0);
    checks.push({ name: 'permissions', ok: modes.length === 0, detail: modes.length === 0 ? 'owner-only' : `readable by others: ${modes.join(', ')} (the next open makes them 0600)` });
  }
  const owner = describeWriter(file);
  checks.push({ name: 'owner', ok: true, detail: owner ?? 'no live process owns it' });
  const backups = listBackups(file);
  checks.push({ name: 'backups', ok: backups.length > 0, detail: backups.length === 0 ? 'no backup yet' : `${backups.length}, newest ${backups[0]!.at.toISOString()} (${backups[0]!.reason})` });
  return { file, ok: checks.every((c) => c.ok || c.name === 'backups'), checks };
}

/**
 * The unfinished intents of a replica, as many as can be read: all at once when the table is sound,
 * else row by row (a damaged page loses only the rows on it).
 */
export function readUnfinishedIntents(file: string): { intents: ExportedIntent[]; complete: boolean; error: string | null } {
  let db: Database.Database;
  try {
    db = openReadOnly(file);
  } catch (error) {
    return { intents: [], complete: false, error: (error as Error).message };
  }
  const columns = 'seq, id, idempotency_key, kind, target_id, method, path, body, payload, base_version, state, created_at, attempts, schema_version';
  try {
    return { intents: db.prepare(`SELECT ${columns} FROM outbox WHERE ${unfinished} ORDER BY seq`).all() as ExportedIntent[], complete: true, error: null };
  } catch (error) {
    const intents: ExportedIntent[] = [];
    let last = 100_000;
    try {
      last = (db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").get() as { seq: number } | undefined)?.seq ?? last;
    } catch {
      // keep the bound
    }
    const one = db.prepare(`SELECT ${columns} FROM outbox WHERE seq = ? AND ${unfinished}`);
    for (let seq = 1; seq <= Math.min(last, 1_000_000); seq++) {
      try {
        const row = one.get(seq) as ExportedIntent | undefined;
        if (row) intents.push(row);
      } catch {
        // a row on a damaged page
      }
    }
    return { intents, complete: false, error: (error as Error).message };
  } finally {
    db.close();
  }
}

export function exportOutbox(file: string, out: string): { count: number; complete: boolean } {
  try {
    preflightReplicaFile(file);
  } catch (error) {
    if (error instanceof ReplicaOpenError && (error.problem === 'empty' || error.problem === 'not-sqlite')) {
      throw new ReplicaOpenError(error.problem, file, `Nothing to export from ${file}: ${error.problem === 'empty' ? 'it is empty (0 bytes)' : 'it is not a SQLite database'}. The newest backup may hold the queued actions: \`doctor --restore-latest\`.`);
    }
    throw error;
  }
  const salvage = readUnfinishedIntents(file);
  writeFileSync(out, `${JSON.stringify({ replica: file, exportedAt: new Date().toISOString(), complete: salvage.complete, intents: salvage.intents }, null, 2)}\n`, { mode: ownerOnlyFileMode });
  restrictToOwner(out);
  return { count: salvage.intents.length, complete: salvage.complete };
}

export interface RestoreResult {
  restoredFrom: string;
  backupAt: string;
  movedAside: string | null;
  /** Unfinished intents read from the damaged file and queued again in the restored one. */
  carriedOver: number;
}

/** Puts the newest good backup in place of the replica; refuses while a live process owns it. */
export function restoreLatest(file: string): RestoreResult {
  const owner = describeWriter(file);
  if (owner) throw new ReplicaOpenError('owned', file, `Cannot restore ${file} while it is in use (${owner}): stop that process first.`);
  const backup = listBackups(file).find(isGood);
  if (!backup) throw new ReplicaOpenError('damaged', file, `No good backup of ${file} in ${file.replace(/[^/\\]+$/, '')}backups/. Save what is left with --export-outbox FILE.`);
  const salvage = existsSync(file) && statSync(file).size > 0 ? readUnfinishedIntents(file) : { intents: [] };
  let movedAside: string | null = null;
  if (existsSync(file)) {
    movedAside = `${file}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(file, movedAside);
    for (const s of replicaCompanions) if (existsSync(`${file}${s}`)) renameSync(`${file}${s}`, `${movedAside}${s}`);
  }
  copyFileSync(backup.file, file);
  restrictReplicaFiles(file);
  const carriedOver = carryOver(file, salvage.intents);
  return { restoredFrom: backup.file, backupAt: backup.at.toISOString(), movedAside, carriedOver };
}

/** Queues the salvaged intents the backup does not have (same id and idempotency key), with their overlay. */
function carryOver(file: string, intents: readonly ExportedIntent[]): number {
  if (intents.length === 0) return 0;
  const replica = new Replica(file);
  try {
    return replica.transaction(() => {
      const insert = replica.stmt(
        `INSERT OR IGNORE INTO outbox (id, idempotency_key, kind, target_id, method, path, body, payload, base_version, state, created_at, attempts, schema_version)
         VALUES (@id, @idempotency_key, @kind, @target_id, @method, @path, @body, @payload, @base_version, 'queued', @created_at, @attempts, @schema_version)`,
      );
      let added = 0;
      for (const intent of intents) {
        // A refused one ('attention') goes out again: its conflict record stayed in the damaged file, and
        // the server answers the same refusal under the same key, which makes a new one.
        const { seq: _seq, state: _state, ...row } = intent;
        if (insert.run(row).changes > 0) {
          added++;
          if (intent.kind.startsWith('booking.')) replica.refreshBookingOverlay(intent.target_id);
        }
      }
      return added;
    });
  } finally {
    replica.close();
  }
}
