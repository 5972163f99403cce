/**
 * The staged commit's stage (staged.ts) in a scratch file of its own beside the replica,
 * `<replica>-stage-<batch>`, ATTACHed to the replica's connection while the batch is written.
 *
 * Why not the replica's own `import_stage_*` tables (migration 0011, where earlier versions staged):
 * there every staged row was written to the WAL, checkpointed into the replica and freed again —
 * a 100k-row import wrote 412 MB and left a 188 MB replica; staged here, 329 MB and 113 MB (the
 * stage file itself is written once, by its flush). Nothing needs that: until the batch is
 * decided nothing of it is promised (a crash drops it, and a check lives only in memory, so there is
 * nothing to resume), so the stage runs without a journal on disk and without syncs. Its rows must
 * only survive from the decision on (the next open moves them in): the file is flushed to disk
 * once, off the loop, before the decision is written (`flushStageToDisk`).
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createOwnerOnlyFile } from '../db/file-modes.ts';
import type { Replica } from '../replica/replica.ts';

/** The schema name of a batch's stage on the replica's connection while its commit runs. */
export const STAGE = 'import_stage';
/** The same for a batch the recovery at open moves in (never at the same time as a commit's). */
export const RECOVERED_STAGE = 'import_stage_recovered';

const suffix = '-stage-';

/** The stage file of `batchId` (':memory:' for an in-memory replica: nothing to recover there). */
export function stageFileOf(replica: Replica, batchId: string): string {
  return replica.file === ':memory:' ? ':memory:' : `${replica.file}${suffix}${batchId}`;
}

// The tables of migration 0011, in the stage file (the move reads them the same way in either place).
const schema = (s: string): string => `
  CREATE TABLE IF NOT EXISTS ${s}.import_stage_intents (
    seq INTEGER PRIMARY KEY, batch_id TEXT NOT NULL, id TEXT NOT NULL, kind TEXT NOT NULL, target_id TEXT NOT NULL,
    method TEXT NOT NULL, path TEXT NOT NULL, body TEXT, payload TEXT NOT NULL, base_version INTEGER,
    created_at TEXT NOT NULL, hold_until TEXT
  );
  CREATE TABLE IF NOT EXISTS ${s}.import_stage_rules (
    seq INTEGER PRIMARY KEY, batch_id TEXT NOT NULL, offering_id TEXT NOT NULL, slug TEXT NOT NULL,
    day_of_week INTEGER NOT NULL, start_time TEXT NOT NULL, end_time TEXT NOT NULL,
    slot_minutes INTEGER NOT NULL, capacity INTEGER NOT NULL, valid_from TEXT, valid_until TEXT
  );
  CREATE TABLE IF NOT EXISTS ${s}.import_stage_drops (seq INTEGER PRIMARY KEY, batch_id TEXT NOT NULL, offering_id TEXT NOT NULL);`;

const attached = (replica: Replica, as: string): boolean => replica.sqlite.prepare('SELECT 1 FROM pragma_database_list WHERE name = ?').get(as) !== undefined;

/**
 * Creates the batch's stage file (owner-only, like the replica: it holds the catalogue) and attaches
 * it as `STAGE`. A file left by an earlier life of the same batch id is replaced.
 */
export function createStage(replica: Replica, batchId: string): void {
  const file = stageFileOf(replica, batchId);
  if (file !== ':memory:') {
    rmSync(file, { force: true });
    createOwnerOnlyFile(file);
  }
  attach(replica, file, STAGE);
  replica.sqlite.exec(schema(STAGE));
}

/** Attaches an existing stage file as `as`; false when the batch has none (staged by an earlier version). */
export function openStage(replica: Replica, batchId: string, as: string): boolean {
  const file = stageFileOf(replica, batchId);
  if (file === ':memory:' || !existsSync(file)) return false;
  attach(replica, file, as);
  return true;
}

function attach(replica: Replica, file: string, as: string): void {
  // ATTACH and DETACH cannot run inside a transaction: a pull's open group commits first.
  replica.flushBulk();
  replica.sqlite.prepare(`ATTACH DATABASE ? AS ${as}`).run(file);
  // A rollback journal kept in memory (a failed step still rolls back) and no fsync per step: a
  // crash before the decision drops the whole file, and the decision flushes it first.
  replica.sqlite.pragma(`${as}.journal_mode = MEMORY`);
  replica.sqlite.pragma(`${as}.synchronous = OFF`);
}

/** Detaches the stage (if attached) and removes its file. */
export function removeStage(replica: Replica, batchId: string, as: string = STAGE): void {
  detachStage(replica, as);
  const file = stageFileOf(replica, batchId);
  if (file !== ':memory:') rmSync(file, { force: true });
}

/**
 * The same for a batch that has moved in, its file unlinked on the thread pool: unlinking the 40 MB
 * stage of 100k rows held the loop up to 160 ms (the kernel dropping the file's cached pages). A
 * crash before it is gone leaves a file no batch owns, which the next open removes.
 */
export async function removeMovedStage(replica: Replica, batchId: string): Promise<void> {
  detachStage(replica, STAGE);
  const file = stageFileOf(replica, batchId);
  if (file !== ':memory:') await rm(file, { force: true });
}

function detachStage(replica: Replica, as: string): void {
  if (replica.sqlite.open && attached(replica, as)) {
    replica.flushBulk();
    replica.sqlite.exec(`DETACH DATABASE ${as}`);
  }
}

/**
 * Flushes the stage file to disk before the batch is decided (from then on its rows must survive a
 * power cut too), on the thread pool: the loop keeps serving calls meanwhile. Called between
 * transactions: SQLite holds no lock on the stage file then (rollback-journal mode drops to no lock
 * after each), so closing this second descriptor cannot release one it relies on.
 */
export async function flushStageToDisk(replica: Replica, batchId: string): Promise<void> {
  const file = stageFileOf(replica, batchId);
  if (file === ':memory:') return;
  const fh = await open(file, 'r+');
  try {
    await fh.datasync();
  } finally {
    await fh.close();
  }
}

/** Stage files beside the replica whose batch is not in `batches` (left by a crash after its end). */
export function orphanStageFiles(replica: Replica, batches: ReadonlySet<string>): string[] {
  if (replica.file === ':memory:') return [];
  const prefix = `${basename(replica.file)}${suffix}`;
  return readdirSync(dirname(replica.file))
    .filter((f) => f.startsWith(prefix) && !batches.has(f.slice(prefix.length)))
    .map((f) => join(dirname(replica.file), f));
}
