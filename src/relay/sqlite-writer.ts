/**
 * The SQLite store's writer thread: owns the writing connection, so commits (and their fsync) never
 * block the relay's event loop. Messages: `{id, op, args}` → `{id, ok, result | error}`; one at a time,
 * in order. Started by store-sqlite.ts with `writerThread: true`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase, sqliteWriter, type WriterRequest, type WriterResponse } from './store-sqlite.ts';

const db = openDatabase((workerData as { path: string }).path);
const writer = sqliteWriter(db);
const port = parentPort!;

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
