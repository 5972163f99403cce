/**
 * The SQLite store's writer thread: owns the writing connection, so commits (and their fsync) never
 * block the relay's event loop. Messages: `{id, op, args}` → `{id, ok, result | error}`; one at a time,
 * in order. Started by store-sqlite.ts with `writerThread: true`.
 *
 * With `role: 'checkpoint'` the same file runs the store's checkpoint thread instead: the writer's
 * automatic checkpoint is off (it ran inside the commit that crossed 1,000 WAL pages, every few
 * seconds at 500 webhooks/s: copy the pages back, fsync the database, and every ingest queued behind
 * it waited), and this thread runs PASSIVE checkpoints on its own connection, which never block the
 * writer nor wait for it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase, sqliteWriter, type WriterRequest, type WriterResponse } from './store-sqlite.ts';

const data = workerData as { path: string; role?: 'writer' | 'checkpoint'; checkpointEveryMs?: number };
const db = openDatabase(data.path);
const port = parentPort!;

if (data.role === 'checkpoint') {
  const timer = setInterval(() => {
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // busy or closing: the next tick tries again
    }
  }, data.checkpointEveryMs ?? 2000);
  port.on('message', (m: WriterRequest) => {
    if (m.op !== 'close') return;
    clearInterval(timer);
    db.close();
    port.postMessage({ id: m.id, ok: true, result: null } satisfies WriterResponse);
    port.close();
  });
} else {
  if (data.role === 'writer') db.pragma('wal_autocheckpoint = 0');
  const writer = sqliteWriter(db);
  port.on('message', (m: WriterRequest) => {
    let response: WriterResponse;
    if (m.op === 'close') {
      db.close();
      port.postMessage({ id: m.id, ok: true, result: null } satisfies WriterResponse);
      port.close();
      return;
    }
    try {
      const result = (writer[m.op] as (...args: unknown[]) => unknown)(...m.args);
      response = { id: m.id, ok: true, result: result ?? null };
    } catch (error) {
      response = { id: m.id, ok: false, error: (error as Error).message };
    }
    port.postMessage(response);
  });
}
