import Database from 'better-sqlite3';
import type { Compilable, Kysely } from 'kysely';
import type * as KyselyModule from 'kysely';
import { backupNowSync, migrationsPending } from './backup.ts';
import { existsSync, linkSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createOwnerOnlyFile, restrictReplicaFiles } from './file-modes.ts';
import { assertSound, explainOpenError, preflightReplicaFile, type OpenCheck } from './integrity.ts';
import { migrate } from './migrations.ts';
import { isProcessAlive } from './writer-lock.ts';
import type { ReplicaSchema } from './schema.ts';
import { loadQueryBuilder } from './query-builder.ts';

/**
 * The replica database. better-sqlite3 is synchronous: every statement runs to completion on the
 * calling thread, which is what makes "intent + optimistic effect in one transaction" trivially
 * atomic. kysely is used as a typed query *builder* only (compiled, then run synchronously here).
 */
export interface ReplicaDb {
  sqlite: Database.Database;
  /** Typed builder; run its queries with `all`/`first`/`exec`. */
  kysely: Kysely<ReplicaSchema>;
  /** The kysely module itself (for `sql` templates), loaded on first use like the builder. */
  kyselyModule: typeof KyselyModule;
  /**
   * Loads kysely now, synchronously (~30 ms from the pre-bundled file): the core does it as it opens,
   * before any call can wait on it, so no query loads it in the middle of a sync.
   */
  loadKysely(): void;
  all<R>(query: Compilable<R>): R[];
  first<R>(query: Compilable<R>): R | undefined;
  exec(query: Compilable<unknown>): Database.RunResult;
  close(): void;
}

/**
 * Opens (or creates) a replica. An existing file must be a sound SQLite database (db/integrity.ts:
 * never silently re-created, `quick_check` before migrations, over the whole file or, with `check`
 * 'local-state', over the tables of local state only); a new one is created owner-only
 * (db/file-modes.ts); a backup is taken before migrations change an existing one (db/backup.ts).
 * Throws ReplicaOpenError with a message saying what to do.
 */
export function openReplica(file: string, check: OpenCheck = 'full'): ReplicaDb {
  const onDisk = file !== ':memory:' && !file.startsWith('file:');
  if (onDisk && !preflightReplicaFile(file)) createReplicaFile(file);
  let sqlite: Database.Database | null = null;
  try {
    sqlite = new Database(file);
    // Waits this long for another process's write lock, then says who holds it (integrity.ts).
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('journal_mode = WAL');
    // The outbox lives here: an acknowledged intent must survive power loss.
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    if (onDisk) {
      const pending = migrationsPending(sqlite);
      // A migration rewrites tables and its backup copies them all: only from a file checked whole.
      assertSound(sqlite, file, pending ? 'full' : check);
      if (pending) backupNowSync(sqlite, file, 'migration');
    }
    migrate(sqlite);
    if (onDisk) restrictReplicaFiles(file);
  } catch (error) {
    if (sqlite?.open) sqlite.close();
    throw explainOpenError(error, file);
  }
  return wrap(sqlite);
}

/**
 * A new replica appears whole or not at all: it is created and migrated under a temporary name, then
 * linked into place (no-clobber: when another process created it meanwhile, theirs is kept). A process
 * killed half-way leaves only its temporary file (removed by the next creator), never a 0-byte
 * replica, which the next open would rightly refuse.
 */
function createReplicaFile(file: string): void {
  const prefix = `${basename(file)}.creating-`;
  const dir = dirname(file);
  if (existsSync(dir)) {
    for (const name of readdirSync(dir)) {
      const pid = name.startsWith(prefix) ? Number(name.slice(prefix.length).split('-')[0]) : NaN;
      if (Number.isInteger(pid) && !isProcessAlive(pid)) rmSync(join(dir, name), { force: true });
    }
  }
  const tmp = `${file}.creating-${process.pid}`;
  for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
  createOwnerOnlyFile(tmp);
  const db = new Database(tmp);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    migrate(db);
  } finally {
    db.close();
  }
  try {
    linkSync(tmp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
  }
}

function wrap(sqlite: Database.Database): ReplicaDb {
  // kysely is loaded on first use here (a worker's connection never needs it); the core loads it as it
  // opens (loadKysely). An import() of it in the background was no help: Node evaluates its ~250
  // modules in one block (the scale bench's 160-280 ms stall), and a call that required it meanwhile
  // failed ("Cannot require() ES Module ... not yet fully loaded").
  let kysely: Kysely<ReplicaSchema> | null = null;
  let kyselyModule: typeof KyselyModule | null = null;
  const loadModule = (): typeof KyselyModule => (kyselyModule ??= loadQueryBuilder());
  const builder = (): Kysely<ReplicaSchema> => {
    if (!kysely) {
      const k = loadModule();
      kysely = new k.Kysely<ReplicaSchema>({
        dialect: {
          createAdapter: () => new k.SqliteAdapter(),
          createDriver: () => new k.DummyDriver(),
          createIntrospector: (db) => new k.SqliteIntrospector(db),
          createQueryCompiler: () => new k.SqliteQueryCompiler(),
        },
      });
    }
    return kysely;
  };
  const cache = new Map<string, Database.Statement>();
  const prepare = (text: string): Database.Statement => {
    let stmt = cache.get(text);
    if (!stmt) {
      stmt = sqlite.prepare(text);
      if (cache.size > 500) cache.clear();
      cache.set(text, stmt);
    }
    return stmt;
  };
  return {
    sqlite,
    get kysely() {
      return builder();
    },
    loadKysely: () => void loadModule(),
    get kyselyModule() {
      return loadModule();
    },
    all<R>(query: Compilable<R>): R[] {
      const c = query.compile();
      return prepare(c.sql).all(...(c.parameters as unknown[])) as R[];
    },
    first<R>(query: Compilable<R>): R | undefined {
      const c = query.compile();
      return prepare(c.sql).get(...(c.parameters as unknown[])) as R | undefined;
    },
    exec(query: Compilable<unknown>): Database.RunResult {
      const c = query.compile();
      return prepare(c.sql).run(...(c.parameters as unknown[]));
    },
    close(): void {
      cache.clear();
      if (sqlite.open) sqlite.close();
    },
  };
}
