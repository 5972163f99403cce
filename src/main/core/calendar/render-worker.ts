/**
 * The engine's side of the calendar worker (worker.ts): started on first use, one per replica file,
 * never keeps the process alive. A worker that dies fails the requests it held and is started again by
 * the next one. `close()` ends it (the core closes it with the replica).
 */
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { Feed, RenderedFeed } from './feeds.ts';
import type { IcsFilter } from './ics.ts';
import type { CalendarAnswer, CalendarJob } from './worker.ts';

/** Run from the sources (CLI, tests) the worker is worker.ts; in the Electron bundle it is its own entry. */
function workerEntry(): URL {
  return import.meta.url.endsWith('.ts') ? new URL('./worker.ts', import.meta.url) : new URL('./calendar-worker.js', import.meta.url);
}

type Pending = { resolve: (a: CalendarAnswer) => void; reject: (e: Error) => void };
type JobInput = CalendarJob extends infer J ? (J extends { id: number } ? Omit<J, 'id'> : never) : never;

export class CalendarWorker {
  readonly #file: string;
  #worker: Worker | null = null;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  #closed = false;

  constructor(replicaFile: string) {
    this.#file = replicaFile;
  }

  /** The `.ics` of the bookings that pass `filter` (UTF-8 bytes, moved from the worker), and how many events it holds. */
  async export(filter: IcsFilter, calendarName: string | null = null): Promise<{ ics: Buffer; events: number; tenantName: string | null }> {
    const a = await this.#run({ kind: 'export', filter, calendarName, file: null });
    if (!a.ok || a.kind !== 'export' || !a.ics) throw new Error('calendar worker: unexpected answer');
    return { ics: Buffer.from(a.ics.buffer, a.ics.byteOffset, a.ics.byteLength), events: a.events, tenantName: a.tenantName };
  }

  /**
   * The same `.ics` written by the worker to `file` (atomically: a temporary file renamed over it), so
   * nothing large reaches this thread; answers its size in bytes and how many events it holds.
   */
  async exportToFile(filter: IcsFilter, file: string, calendarName: string | null = null): Promise<{ bytes: number; events: number; tenantName: string | null }> {
    const a = await this.#run({ kind: 'export', filter, calendarName, file });
    if (!a.ok || a.kind !== 'export') throw new Error('calendar worker: unexpected answer');
    return { bytes: a.bytes, events: a.events, tenantName: a.tenantName };
  }

  /** One feed rendered at `now` (the worker keeps the last body of each feed until the data change). */
  async renderFeed(feed: Feed, now = new Date()): Promise<RenderedFeed> {
    const a = await this.#run({ kind: 'feed', feed, nowMs: now.getTime() });
    if (!a.ok || a.kind !== 'feed') throw new Error('calendar worker: unexpected answer');
    return { body: Buffer.from(a.body.buffer, a.body.byteOffset, a.body.byteLength), etag: a.etag, lastModified: new Date(a.lastModifiedMs) };
  }

  async close(): Promise<void> {
    this.#closed = true;
    const w = this.#worker;
    this.#worker = null;
    if (w) await w.terminate();
  }

  #run(job: JobInput): Promise<CalendarAnswer & { ok: true }> {
    if (this.#closed) return Promise.reject(new Error('calendar worker: closed'));
    const worker = this.#start();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, {
        resolve: (a) => (a.ok ? resolve(a) : reject(new Error(a.message))),
        reject,
      });
      // Held while it works (a CLI awaiting an export must not exit), let go when idle.
      worker.ref();
      worker.postMessage({ ...job, id });
    });
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(fileURLToPath(workerEntry()), { workerData: { file: this.#file } });
    worker.unref();
    worker.on('message', (a: CalendarAnswer) => {
      const p = this.#pending.get(a.id);
      this.#pending.delete(a.id);
      if (this.#pending.size === 0) worker.unref();
      p?.resolve(a);
    });
    const fail = (error: Error): void => {
      if (this.#worker === worker) this.#worker = null;
      for (const p of this.#pending.values()) p.reject(error);
      this.#pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`calendar worker exited (${code})`)));
    this.#worker = worker;
    return worker;
  }
}
