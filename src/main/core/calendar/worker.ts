/**
 * The calendar's worker thread (worker_threads): renders `.ics` exports and feeds from its own
 * read-only connection to the replica, so a 100k-event calendar never holds the engine's loop (the
 * main thread only finds the feed by token and sends the answer). One request at a time, in order;
 * the per-event cache lives here, so repeated renders stay cheap. Started by render-worker.ts.
 */
import { closeSync, constants, ftruncateSync, openSync, writeSync, writevSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { fingerprintIcs } from './fingerprint.ts';
import { createEventCache, icsHead, icsTail, planIcs, renderIcsParts, type CalendarBooking, type IcsFilter, type IcsPlan } from './ics.ts';
import { FeedRenderer, type Feed } from './feeds.ts';
import { piecesOf, placeShare, renderShareStream, type RenderedShare, type ShareKeys } from './share.ts';
import { eachCalendarBooking, readCalendarBookings, readTenant, type TenantRef } from './source.ts';

export type CalendarJob =
  /** The whole .ics, answered as bytes. */
  | { id: number; kind: 'export'; filter: IcsFilter; calendarName: string | null }
  /**
   * Part `part` of `of` of an export (the events split evenly in output order), rendered and held here
   * until a `write` job for it; answers its size. With `share`, the part is the events of share `part`
   * of the bookings (only those read: share.ts), and the answer carries their keys.
   */
  | { id: number; kind: 'part'; filter: IcsFilter; calendarName: string | null; part: number; of: number; share?: boolean }
  /** The fingerprint of what the held part of job `partId` was rendered from (see fingerprintIcs). */
  | { id: number; kind: 'fingerprint'; partId: number }
  /**
   * Writes the held part of job `partId` into `file` at `position` (a file of `size` octets); file null:
   * drops it. A share's part is placed among the others' events by `shares`: every part's keys, in order.
   */
  | { id: number; kind: 'write'; partId: number; file: string | null; position: number; size: number; shares?: ShareKeys[] }
  /** Loads and runs the render code once on made-up bookings (a throwaway cache), ahead of need. */
  | { id: number; kind: 'warm' }
  | { id: number; kind: 'feed'; feed: Feed; nowMs: number };

/**
 * A share's CPU time by phase (ms): reading its rows and rendering their events (one booking after
 * the other, so not apart), then ordering the events.
 */
export interface SharePhases {
  readRender: number;
  order: number;
}

export type CalendarAnswer =
  | { id: number; ok: true; kind: 'export'; ics: Uint8Array; events: number; tenantName: string | null }
  /**
   * `cpuMs`: this thread's CPU time for the job (read, order, render its part); `phases`, for a share,
   * that time by phase (read the rows and render them, order the events), for the export's log line.
   */
  | { id: number; ok: true; kind: 'part'; bytes: number; events: number; tenantName: string | null; cpuMs: number; keys?: ShareKeys; phases?: SharePhases }
  | { id: number; ok: true; kind: 'fingerprint'; fingerprint: string }
  | { id: number; ok: true; kind: 'write'; cpuMs: number }
  | { id: number; ok: true; kind: 'warm'; cpuMs: number }
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

/** Parts rendered and not yet written (and what they were rendered from), by the id of their `part` job. */
const held = new Map<number, { parts: Buffer[]; plan: IcsPlan } | { share: RenderedShare; plan: IcsPlan; part: number; of: number }>();

/**
 * This thread's CPU time (process.threadCpuUsage, Node ≥ 23.9); where the runtime lacks it (an older
 * Node in an Electron build), the process's, which only the log line and the warm-up figure use.
 */
function cpuNow(): NodeJS.CpuUsage {
  return typeof process.threadCpuUsage === 'function' ? process.threadCpuUsage() : process.cpuUsage();
}

function cpuSince(c0: NodeJS.CpuUsage): number {
  const c = cpuNow();
  return (c.user - c0.user + c.system - c0.system) / 1000;
}

function exportName(job: { calendarName: string | null }, tenant: TenantRef): string {
  return job.calendarName ?? `${tenant.name ?? 'Orkestr'} bookings`;
}

function answer(job: CalendarJob): { answer: CalendarAnswer; transfer?: ArrayBuffer[] } {
  switch (job.kind) {
    case 'export': {
      const tenant = readTenant(db);
      const plan = planIcs(readCalendarBookings(db, job.filter), { calendarName: exportName(job, tenant), subdomain: tenant.subdomain, filter: job.filter });
      const { parts, length } = renderIcsParts(plan, cache);
      // Moved, not copied (transfer list): one buffer of its own.
      const ics = new Uint8Array(length);
      let at = 0;
      for (const p of parts) {
        ics.set(p, at);
        at += p.length;
      }
      return { answer: { id: job.id, ok: true, kind: 'export', ics, events: plan.entries.length, tenantName: tenant.name }, transfer: [ics.buffer] };
    }
    case 'part': {
      if (job.share) return renderSharePart(job);
      const c0 = cpuNow();
      const tenant = readTenant(db);
      const plan = planIcs(readCalendarBookings(db, job.filter), { calendarName: exportName(job, tenant), subdomain: tenant.subdomain, filter: job.filter });
      const n = plan.entries.length;
      const { parts, length } = renderIcsParts(plan, cache, job.part, job.of);
      held.set(job.id, { parts, plan });
      return { answer: { id: job.id, ok: true, kind: 'part', bytes: length, events: n, tenantName: tenant.name, cpuMs: cpuSince(c0) } };
    }
    case 'fingerprint': {
      const h = held.get(job.partId);
      if (!h || 'share' in h) throw new Error('calendar worker: no such part');
      return { answer: { id: job.id, ok: true, kind: 'fingerprint', fingerprint: fingerprintIcs(h.plan) } };
    }
    case 'write': {
      const c0 = cpuNow();
      const h = held.get(job.partId);
      held.delete(job.partId);
      if (job.file !== null) {
        if (!h) throw new Error('calendar worker: no such part');
        if ('share' in h) writeShare(job.file, h, job.shares ?? [], job.size);
        else writeParts(job.file, h.parts, job.position, job.size);
      }
      return { answer: { id: job.id, ok: true, kind: 'write', cpuMs: cpuSince(c0) } };
    }
    case 'warm':
      return { answer: { id: job.id, ok: true, kind: 'warm', cpuMs: warmUp() } };
    case 'feed': {
      nowMs = job.nowMs;
      const r = feeds.render(job.feed);
      // A copy the main thread owns (the rendered body stays cached here for the next request).
      const body = new Uint8Array(r.body);
      return { answer: { id: job.id, ok: true, kind: 'feed', body, etag: r.etag, lastModifiedMs: r.lastModified.getTime() }, transfer: [body.buffer] };
    }
  }
}

port.on('message', (job: CalendarJob) => {
  try {
    const r = answer(job);
    port.postMessage(r.answer, r.transfer ?? []);
  } catch (error) {
    if (job.kind === 'part') held.delete(job.id);
    const failed: CalendarAnswer = { id: job.id, ok: false, message: error instanceof Error ? error.message : String(error) };
    port.postMessage(failed);
  }
});

/**
 * Share `part` of `of` of the bookings read, its events rendered as their rows come and held (see
 * share.ts, renderShareStream).
 */
function renderSharePart(job: Extract<CalendarJob, { kind: 'part' }>): { answer: CalendarAnswer } {
  const c0 = cpuNow();
  const tenant = readTenant(db);
  const subdomain = tenant.subdomain ?? '';
  const head = icsHead({ calendarName: exportName(job, tenant) });
  let readRender = 0;
  const share = renderShareStream(
    (visit) => {
      eachCalendarBooking(db, job.filter, { part: job.part, of: job.of }, visit);
      readRender = cpuSince(c0);
    },
    job.filter,
    subdomain,
    cache,
  );
  const plan: IcsPlan = { entries: [], head, subdomain };
  held.set(job.id, { share, plan, part: job.part, of: job.of });
  // The head goes in front of share 0's events, END:VCALENDAR after the last share's.
  const bytes = share.bytes + (job.part === 0 ? head.length : 0) + (job.part === job.of - 1 ? icsTail.length : 0);
  const cpuMs = cpuSince(c0);
  const phases = { readRender, order: cpuMs - readRender };
  const answer: CalendarAnswer = { id: job.id, ok: true, kind: 'part', bytes, events: share.keys.sizes.length, tenantName: tenant.name, cpuMs, keys: share.keys, phases };
  return { answer };
}

/** A held share written into `file` (a file of `size` octets): each run of its events at its place among every share's. */
function writeShare(file: string, h: { share: RenderedShare; plan: IcsPlan; part: number; of: number }, all: ShareKeys[], size: number): void {
  if (all.length !== h.of) throw new Error('calendar worker: the keys of every share are needed');
  // Our own keys as we have them (the copy sent back is the same).
  const keys = all.map((k, i) => (i === h.part ? h.share.keys : k));
  withFile(file, size, (fd) => {
    if (h.part === 0) writeAt(fd, [h.plan.head], 0);
    for (const run of placeShare(keys, h.part, h.plan.head.length)) writeAt(fd, piecesOf(h.share, run.from, run.to), run.position);
    if (h.part === h.of - 1) writeAt(fd, [icsTail], size - icsTail.length);
  });
}

/**
 * `parts` written into `file` (created 0600 if need be, made `size` octets long) from `position`:
 * the workers of one export each write their part into the same temporary file, side by side.
 */
function writeParts(file: string, parts: Buffer[], position: number, size: number): void {
  withFile(file, size, (fd) => writeAt(fd, parts, position));
}

function withFile(file: string, size: number, write: (fd: number) => void): void {
  const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT, 0o600);
  try {
    ftruncateSync(fd, size);
    write(fd);
  } finally {
    closeSync(fd);
  }
}

function writeAt(fd: number, parts: Buffer[], position: number): void {
  let at = position;
  // A few hundred pieces a call (a cold export's are 256 KB chunks); a short write is finished piece by piece.
  for (let i = 0; i < parts.length; i += 256) {
    const batch = parts.slice(i, i + 256);
    const written = writevSync(fd, batch, at);
    let offset = 0;
    for (const b of batch) {
      let done = Math.min(b.length, Math.max(0, written - offset));
      while (done < b.length) done += writeSync(fd, b, done, b.length - done, at + offset + done);
      offset += b.length;
    }
    at += offset;
  }
}

const warmNames = ['Ana García', 'José Müller-Łukasiewicz 東京', 'Wei Zhang', 'Chloé Dubois'];
const warmStatuses = ['CONFIRMED', 'PENDING', 'CANCELLED', 'COMPLETED'] as const;

/**
 * The first export after start should not also pay for compiling the render path: 2,000 made-up
 * events (ASCII and non-ASCII text, every status mapping, folded lines) through it once, with a cache
 * of their own, so the worker's real cache starts empty. Returns this thread's CPU time for it.
 */
function warmUp(): number {
  const c0 = cpuNow();
  const base = Date.UTC(2000, 0, 1);
  const bookings: CalendarBooking[] = [];
  for (let i = 0; i < 2000; i++) {
    const at = new Date(base + i * 3_600_000).toISOString();
    bookings.push({
      id: `warm_${i}`,
      status: warmStatuses[i % warmStatuses.length] ?? 'CONFIRMED',
      version: i % 3 === 0 ? null : 1 + (i % 5),
      updatedAt: at,
      offeringId: `off_${i % 7}`,
      offeringTitle: `Studio ${i % 7}`,
      customerName: warmNames[i % warmNames.length] ?? 'Ana',
      notes: i % 2 === 0 ? 'Needs a projector, please; and two chairs, by the window; thank you very much.' : '',
      items: [{ id: `warm_item_${i}`, startsAt: at, endsAt: new Date(base + i * 3_600_000 + 1_800_000).toISOString() }],
      location: i % 2 === 0 ? '12 Canal Street, New York' : null,
    });
  }
  const filter = { includePending: true };
  const plan = planIcs(bookings, { calendarName: 'warm-up', subdomain: 'warm', filter });
  const throwaway = createEventCache();
  // An export to a file renders as it reads (renderShareStream); feeds and the rest from a plan,
  // here all from the cache the first pass filled (the path a warm export takes).
  renderShareStream((visit) => bookings.forEach(visit), filter, 'warm', throwaway);
  renderIcsParts(plan, throwaway);
  fingerprintIcs(plan);
  return cpuSince(c0);
}
