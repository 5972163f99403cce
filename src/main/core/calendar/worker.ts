/**
 * The calendar's worker thread (worker_threads): renders `.ics` exports and feeds from its own
 * read-only connection to the replica, so a 100k-event calendar never holds the engine's loop (the
 * main thread only finds the feed by token and sends the answer). One request at a time, in order;
 * the per-event cache lives here, so repeated renders stay cheap. Started by render-worker.ts.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { parentPort, threadId, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { createEventCache, exportIcsBytes, type IcsFilter } from './ics.ts';
import { FeedRenderer, type Feed } from './feeds.ts';
import { readCalendarBookings, readTenant } from './source.ts';

export type CalendarJob =
  /** `file`: write the .ics there (atomically) and answer only its size; null: answer the bytes. */
  | { id: number; kind: 'export'; filter: IcsFilter; calendarName: string | null; file: string | null }
  | { id: number; kind: 'feed'; feed: Feed; nowMs: number };

export type CalendarAnswer =
  | { id: number; ok: true; kind: 'export'; ics: Uint8Array | null; bytes: number; events: number; tenantName: string | null }
  | { id: number; ok: true; kind: 'feed'; body: Uint8Array; etag: string; lastModifiedMs: number }
  | { id: number; ok: false; message: string };

// Rendering is background work: on a busy machine the engine's thread (answering calls) should get
// the CPU first. Linux keeps a nice value per thread, so this lowers only this thread's; elsewhere the
// same call would lower the whole process, so it is left out there.
if (process.platform === 'linux') {
  try {
    setPriority(0, Math.min(19, getPriority(0) + 5));
  } catch {
    // not allowed here: render at the normal priority
  }
}

const port = parentPort;
if (!port) throw new Error('calendar/worker.ts runs as a worker thread');
const db = new Database((workerData as { file: string }).file, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
const cache = createEventCache();
let nowMs = Date.now();
const feeds = new FeedRenderer(db, { cache, now: () => new Date(nowMs) });
const veventStart = Buffer.from('BEGIN:VEVENT\r\n');

port.on('message', (job: CalendarJob) => {
  try {
    if (job.kind === 'export') {
      const tenant = readTenant(db);
      const bookings = readCalendarBookings(db, job.filter);
      const bytes = exportIcsBytes(bookings, { calendarName: job.calendarName ?? `${tenant.name ?? 'Orkestr'} bookings`, subdomain: tenant.subdomain, filter: job.filter, cache });
      let events = 0;
      for (let at = bytes.indexOf(veventStart); at !== -1; at = bytes.indexOf(veventStart, at + veventStart.length)) events++;
      if (job.file) {
        // Written here, so a 50 MB calendar never crosses to the engine's thread at all.
        const tmp = `${job.file}.${process.pid}-${threadId}.tmp`;
        try {
          writeFileSync(tmp, bytes, { mode: 0o600 });
          renameSync(tmp, job.file);
        } catch (error) {
          rmSync(tmp, { force: true });
          throw error;
        }
        const answer: CalendarAnswer = { id: job.id, ok: true, kind: 'export', ics: null, bytes: bytes.length, events, tenantName: tenant.name };
        port.postMessage(answer);
        return;
      }
      // Moved, not copied (transfer list); a view into a shared pool (small exports) is copied first.
      const own = bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length ? new Uint8Array(bytes.buffer) : new Uint8Array(bytes);
      const answer: CalendarAnswer = { id: job.id, ok: true, kind: 'export', ics: own, bytes: own.length, events, tenantName: tenant.name };
      port.postMessage(answer, [own.buffer as ArrayBuffer]);
    } else {
      nowMs = job.nowMs;
      const r = feeds.render(job.feed);
      // A copy the main thread owns (the rendered body stays cached here for the next request).
      const body = new Uint8Array(r.body);
      const answer: CalendarAnswer = { id: job.id, ok: true, kind: 'feed', body, etag: r.etag, lastModifiedMs: r.lastModified.getTime() };
      port.postMessage(answer, [body.buffer]);
    }
  } catch (error) {
    const answer: CalendarAnswer = { id: job.id, ok: false, message: error instanceof Error ? error.message : String(error) };
    port.postMessage(answer);
  }
});
