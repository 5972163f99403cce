/**
 * WAL checkpoints off the main thread. A checkpoint copies WAL pages back into the database file and
 * fsyncs it; with 100k rows and several indexes on random ids that is the slowest part of a bulk pull
 * (hundreds of ms per run), and SQLite's automatic checkpoint runs it inside the committing call — on
 * the thread that serves the UI. While a checkpointer runs, the main connection's autocheckpoint is
 * off and a worker thread with its own connection runs PASSIVE checkpoints (they never block writers)
 * and keeps the WAL flushed to disk. The same worker runs long one-off statements for the main thread
 * (`exec`: building the indexes an initial sync deferred, see Replica.buildDeferredIndexes).
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
let stopped = false;
let timer = null;
let syncTimer = null;
const tick = () => {
  if (stopped) return;
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
  timer = setTimeout(tick, workerData.everyMs);
};
// Bulk pulls commit without fsync (synchronous=NORMAL); the next FULL commit on the main thread
// (a user's intent) would then flush all of it — hundreds of ms. Flushing the WAL from here keeps
// that backlog small; fdatasync flushes the file's pages whichever descriptor wrote them.
const flushWal = () => {
  if (stopped) return;
  try {
    const fd = fs.openSync(workerData.file + '-wal', 'r+');
    try { fs.fdatasyncSync(fd); } finally { fs.closeSync(fd); }
  } catch {}
  syncTimer = setTimeout(flushWal, workerData.syncEveryMs);
};
flushWal();
parentPort.on('message', (m) => {
  if (m && m.type === 'exec') {
    try {
      db.exec(m.sql);
      parentPort.postMessage({ type: 'exec', id: m.id, error: null });
    } catch (error) {
      try { if (db.inTransaction) db.exec('ROLLBACK'); } catch {}
      parentPort.postMessage({ type: 'exec', id: m.id, error: String((error && error.message) || error) });
    }
    return;
  }
  if (m !== 'stop') return;
  stopped = true;
  if (timer) clearTimeout(timer);
  if (syncTimer) clearTimeout(syncTimer);
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
  db.close();
  parentPort.postMessage('stopped');
});
tick();
`;

export class Checkpointer {
  readonly #sqlite: Database.Database;
  readonly #worker: Worker;
  #stopped: Promise<void> | null = null;
  #execs = new Map<number, { resolve(): void; reject(error: Error): void }>();
  #nextExec = 1;

  constructor(sqlite: Database.Database, file: string, everyMs = 2000, syncEveryMs = 100) {
    this.#sqlite = sqlite;
    sqlite.pragma('wal_autocheckpoint = 0');
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.#worker = new Worker(workerSource, { eval: true, workerData: { file, driver, everyMs, syncEveryMs } });
    this.#worker.unref();
    this.#worker.on('error', () => this.#restoreAuto());
    this.#worker.on('message', (m: { type?: string; id?: number; error?: string | null }) => {
      if (m?.type !== 'exec' || m.id === undefined) return;
      const waiting = this.#execs.get(m.id);
      this.#execs.delete(m.id);
      if (this.#execs.size === 0) this.#worker.unref();
      if (m.error) waiting?.reject(new Error(m.error));
      else waiting?.resolve();
    });
    const failAll = (): void => {
      for (const w of this.#execs.values()) w.reject(new Error('the checkpoint worker stopped'));
      this.#execs.clear();
    };
    this.#worker.on('error', failAll);
    this.#worker.on('exit', failAll);
  }

  /**
   * Runs `sql` (one or more statements) on the worker's own connection, off the main thread. The
   * caller must not hold the write lock meanwhile if `sql` writes (the worker would wait for it).
   */
  exec(sql: string): Promise<void> {
    if (this.#stopped) return Promise.reject(new Error('the checkpoint worker is stopped'));
    const id = this.#nextExec++;
    return new Promise<void>((resolve, reject) => {
      this.#execs.set(id, { resolve, reject });
      // While the main thread waits for an answer, the worker keeps the process alive.
      this.#worker.ref();
      this.#worker.postMessage({ type: 'exec', id, sql });
    });
  }

  /**
   * One PASSIVE checkpoint now, on the worker, awaited; false when the worker could not run it. Run
   * between write transactions, it copies the whole WAL back (the timer's checkpoints rarely can
   * while a pull commits every second), and the next write transaction then starts the WAL over.
   */
  checkpoint(): Promise<boolean> {
    return this.exec('PRAGMA wal_checkpoint(PASSIVE)').then(
      () => true,
      () => false,
    );
  }

  #restoreAuto(): void {
    if (this.#sqlite.open) this.#sqlite.pragma('wal_autocheckpoint = 1000');
  }

  stop(): Promise<void> {
    this.#stopped ??= new Promise<void>((resolve) => {
      const done = (): void => {
        this.#restoreAuto();
        resolve();
      };
      const timer = setTimeout(() => void this.#worker.terminate().finally(done), 5000);
      this.#worker.on('message', (m: unknown) => {
        if (m !== 'stopped') return;
        clearTimeout(timer);
        void this.#worker.terminate().finally(done);
      });
      this.#worker.once('exit', () => {
        clearTimeout(timer);
        done();
      });
      this.#worker.postMessage('stop');
    });
    return this.#stopped;
  }
}

/** Size of a database's WAL file in bytes (0 when there is none). */
export function walBytes(file: string): number {
  try {
    return statSync(`${file}-wal`).size;
  } catch {
    return 0;
  }
}
