/**
 * Owner-only files. The replica holds the API key when the user chose to keep it unencrypted, the
 * relay's device token and webhook secrets, and the tenant's customers: nobody but the user who runs
 * the console may read it. Every folder the console creates is 0700 and every file it writes 0600,
 * whatever the umask (a umask only takes bits away, and 022 would leave 0644/0755).
 *
 * SQLite creates `-wal` and `-shm` with the main database file's permissions (its unix VFS copies
 * them), so a replica created 0600 gets owner-only companions; a replica an older build created 0644
 * is tightened on the next open.
 */
import { chmodSync, closeSync, existsSync, fchmodSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export const ownerOnlyDirMode = 0o700;
export const ownerOnlyFileMode = 0o600;

/** The replica's files besides the database itself. */
export const replicaCompanions = ['-wal', '-shm'] as const;

/**
 * Creates `dir` (and missing parents) owner-only. A folder that already exists is left as it is
 * unless `tighten` (the console's own data folder): the user may have pointed `--db` into a shared one.
 */
export function ensureOwnerOnlyDir(dir: string, tighten = false): void {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true, mode: ownerOnlyDirMode });
    // mkdir's mode is filtered by the umask; chmod is not.
    chmodSync(dir, ownerOnlyDirMode);
  } else if (tighten && isOurs(dir) && (statSync(dir).mode & 0o777) !== ownerOnlyDirMode) {
    chmodSync(dir, ownerOnlyDirMode);
  }
}

/** Creates an empty file owner-only (fails when it exists: the caller decides what an existing one means). */
export function createOwnerOnlyFile(file: string): void {
  ensureOwnerOnlyDir(dirname(file));
  const fd = openSync(file, 'wx', ownerOnlyFileMode);
  try {
    fchmodSync(fd, ownerOnlyFileMode);
  } finally {
    closeSync(fd);
  }
}

/** Makes an existing file of ours owner-only (a file another user owns is not ours to change). */
export function restrictToOwner(file: string): void {
  if (!existsSync(file) || !isOurs(file)) return;
  if ((statSync(file).mode & 0o777) !== ownerOnlyFileMode) chmodSync(file, ownerOnlyFileMode);
}

/** The replica and its WAL/SHM, owner-only. */
export function restrictReplicaFiles(file: string): void {
  restrictToOwner(file);
  for (const suffix of replicaCompanions) restrictToOwner(`${file}${suffix}`);
}

function isOurs(path: string): boolean {
  return typeof process.getuid !== 'function' || statSync(path).uid === process.getuid();
}
