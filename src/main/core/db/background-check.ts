/**
 * The rest of the replica's damage check, off the thread that serves the UI (issue #16). At 1M
 * bookings `PRAGMA quick_check` over the whole file takes seconds; on open, long-lived hosts check
 * only the tables of local state (db/integrity.ts) and this worker checks every other table, one
 * table and its indexes per step, on its own read-only connection. A stop request is honoured between
 * two steps, so closing the core never waits for a whole check.
 *
 * What it found is reported once: `onDamaged(problems)` (the core then refuses every call and leaves
 * the marker that makes later opens check the whole file), or `onSound()`.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { localStateTables } from './integrity.ts';

const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let stopped = false;
parentPort.on('message', (m) => { if (m === 'stop') stopped = true; });
// Ends the thread: the port's listener would keep it (and, at exit, its process) waiting otherwise.
const end = () => parentPort.close();
(() => {
let db;
try {
  db = new Database(workerData.file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
} catch (error) {
  parentPort.postMessage({ type: 'error', message: String((error && error.message) || error) });
  parentPort.close();
  return;
}
// Tables with their own b-tree (FTS5's shadow tables included; the virtual table itself has none).
const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name").pluck().all()
  .filter((t) => !workerData.skip.includes(t));
const problems = [];
const step = (i) => {
  if (stopped) { db.close(); end(); return; }
  if (i >= tables.length || problems.length >= 5) {
    db.close();
    parentPort.postMessage({ type: 'done', problems });
    end();
    return;
  }
  try {
    for (const r of db.pragma('quick_check(' + JSON.stringify(tables[i]) + ')')) if (r.quick_check !== 'ok') problems.push(r.quick_check);
  } catch (error) {
    const text = String((error && error.message) || error);
    // A table dropped meanwhile is no damage; anything else SQLite refused to read is.
    if (!/no such table/.test(text)) problems.push(tables[i] + ': ' + text);
  }
  // A turn of the loop between tables, so a stop request is seen.
  setImmediate(() => step(i + 1));
};
step(0);
})();
`;

export interface BackgroundCheckHooks {
  onDamaged(problems: string[]): void;
  onSound?(): void;
  /** The check could not run (the file could not be opened read-only): reported, not damage. */
  onError?(message: string): void;
}

export class BackgroundCheck {
  readonly #worker: Worker;
  #stopped = false;

  constructor(file: string, hooks: BackgroundCheckHooks) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.#worker = new Worker(workerSource, { eval: true, workerData: { file, driver, skip: [...localStateTables] } });
    this.#worker.on('message', (m: { type: string; problems?: string[]; message?: string }) => {
      if (this.#stopped) return;
      if (m.type === 'done') {
        if (m.problems && m.problems.length > 0) hooks.onDamaged(m.problems);
        else hooks.onSound?.();
      } else if (m.type === 'error') hooks.onError?.(m.message ?? 'unknown error');
    });
    this.#worker.on('error', (error) => {
      if (!this.#stopped) hooks.onError?.(error.message);
    });
    // A check under way never keeps a process alive that is otherwise done. After the listeners:
    // adding a 'message' listener refs the worker again.
    this.#worker.unref();
  }

  /** Asks the worker to stop after the table it is checking; does not wait for it. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#worker.postMessage('stop');
  }
}
